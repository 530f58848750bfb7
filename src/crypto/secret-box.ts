import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { GatehouseError } from '../errors/gatehouse-error.js';

const version = 'v1';

/** Seals and opens small secrets (private keys, client secrets) at rest with AES-256-GCM. */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** A key for another purpose derived from the same master secret (HKDF-SHA256). */
  derive(purpose: string): Buffer;
}

export function createSecretBox(masterSecret: string): SecretBox {
  const ikm = Buffer.from(masterSecret, 'utf8');
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', ikm, 'gatehouse', purpose, 32));
  const key = derive('secret-box v1');
  return {
    derive,
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The context (e.g. the key slot) is bound as associated data, so a sealed value cannot be moved to another row.
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${version}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },
    open(sealed, context) {
      const [v, ivText, bodyText] = sealed.split('.');
      if (v !== version || !ivText || !bodyText) throw new GatehouseError('secret_mismatch', 'sealed value has an unknown format');
      const body = Buffer.from(bodyText, 'base64url');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(body.subarray(body.length - 16));
        return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new GatehouseError(
          'secret_mismatch',
          'the master secret cannot open data stored in the database: GATEHOUSE_SECRET (or the data directory\'s secret.key) is not the one the data was written with',
          { cause, expose: true },
        );
      }
    },
  };
}
