import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, connect, type Server } from 'node:net';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { Db } from '../../../src/db/database.js';
import { createPasskeyQueries } from '../../../src/db/queries/passkeys.js';

/**
 * WebAuthn needs a secure context whose host is a domain: `http://localhost:<port>` is one, the
 * suite's usual `http://127.0.0.1:<port>` is not (an IP address is no RP ID). The server under
 * test listens on 127.0.0.1 on a port of its own choosing, so its public URL names this proxy's
 * port on localhost instead: the browser, the RP ID and the issuer all say localhost.
 */
export async function startLocalhostProxy(port: number, target: () => number): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: target() });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Chromium's virtual authenticator (DevTools WebAuthn domain): a platform authenticator with user verification, answering at once. */
export async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** A P-256 public key as COSE (RFC 9053: kty EC2, alg ES256, crv P-256, x, y), CBOR written out by hand for this one shape. */
function coseEs256(x: Buffer, y: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]), x, Buffer.from([0x22, 0x58, 0x20]), y]);
}

export interface SeededPasskey {
  /** base64url, as Gatehouse stores it. */
  id: string;
  /** PKCS#8, base64, as the DevTools protocol takes it. */
  privateKey: string;
  userId: string;
}

/**
 * A passkey as registration would have left it, made without a registration: a key pair, its
 * public half stored for the user, its private half for the virtual authenticator (addCredential).
 */
export async function seedPasskey(db: Db, userId: string, { now, name = 'Seeded passkey' }: { now: number; name?: string }): Promise<SeededPasskey> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const id = randomBytes(16).toString('base64url');
  await createPasskeyQueries(db).insert({
    id, user_id: userId, name,
    public_key: coseEs256(Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')).toString('base64url'),
    counter: 0, transports: '["internal"]', device_type: 'singleDevice', backed_up: 0, created_at: now, last_used_at: null,
  });
  return { id, privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), userId };
}

/** Gives the authenticator the seeded credential, discoverable, with the signature counter it is to start from. */
export async function addCredential(cdp: CDPSession, authenticatorId: string, passkey: SeededPasskey, signCount = 0): Promise<void> {
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: {
      credentialId: Buffer.from(passkey.id, 'base64url').toString('base64'),
      isResidentCredential: true,
      rpId: 'localhost',
      privateKey: passkey.privateKey,
      userHandle: Buffer.from(passkey.userId, 'utf8').toString('base64'),
      signCount,
    },
  });
}
