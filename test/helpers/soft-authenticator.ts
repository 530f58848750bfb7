import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * A WebAuthn authenticator in a few lines of Node, for tests of the ceremonies without a browser:
 * one ES256 credential, `none` attestation, the answers @simplewebauthn/browser would post. The
 * CBOR it writes is spelled out by hand for the few shapes it needs.
 */
export interface SoftAuthenticator {
  credentialId: string;
  /** The answer to registration options, as startRegistration() returns it. */
  register(options: { challenge: string; user: { id: string } }, flags?: AnswerFlags): Record<string, unknown>;
  /** The answer to authentication options, as startAuthentication() returns it. */
  authenticate(options: { challenge: string }, flags?: AnswerFlags & { counter?: number }): Record<string, unknown>;
}

export interface AnswerFlags {
  /** The UV flag: the authenticator verified the person. Default true. */
  userVerified?: boolean;
  origin?: string;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

/** CBOR head: major type and length (lengths up to 65535). */
function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 256) return Buffer.from([(major << 5) | 24, length]);
  return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
}
const text = (value: string) => Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
const bytes = (value: Buffer) => Buffer.concat([head(2, value.length), value]);

/** The public key as COSE: kty EC2, alg ES256, crv P-256, x, y. */
function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21]), bytes(Buffer.from(jwk.x!, 'base64url')), Buffer.from([0x22]), bytes(Buffer.from(jwk.y!, 'base64url'))]);
}

export function softAuthenticator({ rpId, origin }: { rpId: string; origin: string }): SoftAuthenticator {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rawId = randomBytes(16);
  const credentialId = rawId.toString('base64url');
  let counter = 0;

  const clientData = (type: string, challenge: string, flags: AnswerFlags) =>
    Buffer.from(JSON.stringify({ type, challenge, origin: flags.origin ?? origin, crossOrigin: false }));
  // UP always; UV when asked; AT (attested credential data) at registration.
  const flagsByte = (flags: AnswerFlags, attested: boolean) => 0x01 | (flags.userVerified === false ? 0 : 0x04) | (attested ? 0x40 : 0);
  const count = (value: number) => Buffer.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);

  return {
    credentialId,
    register(options, flags = {}) {
      const attested = Buffer.concat([Buffer.alloc(16), Buffer.from([0, rawId.length]), rawId, coseKey(publicKey)]);
      const authData = Buffer.concat([sha256(rpId), Buffer.from([flagsByte(flags, true)]), count(counter), attested]);
      const attestationObject = Buffer.concat([Buffer.from([0xa3]), text('fmt'), text('none'), text('attStmt'), Buffer.from([0xa0]), text('authData'), bytes(authData)]);
      return {
        id: credentialId, rawId: credentialId, type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: {
          clientDataJSON: clientData('webauthn.create', options.challenge, flags).toString('base64url'),
          attestationObject: attestationObject.toString('base64url'),
          transports: ['internal'],
        },
      };
    },
    authenticate(options, flags = {}) {
      counter = flags.counter ?? counter + 1;
      const authData = Buffer.concat([sha256(rpId), Buffer.from([flagsByte(flags, false)]), count(counter)]);
      const data = clientData('webauthn.get', options.challenge, flags);
      const signature = createSign('sha256').update(Buffer.concat([authData, sha256(data)])).sign(privateKey);
      return {
        id: credentialId, rawId: credentialId, type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: {
          clientDataJSON: data.toString('base64url'),
          authenticatorData: authData.toString('base64url'),
          signature: signature.toString('base64url'),
        },
      };
    },
  };
}
