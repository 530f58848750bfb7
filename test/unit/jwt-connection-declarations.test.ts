/*
 * Connections of `type: jwt` (issue 16) as the configuration file declares them: the defaults,
 * exactly one verification key, a key that fits the allowed algorithms, and refusals that name
 * the file, the entry by its id and the field. Pure: no server, no database.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { defaults } from '../../src/config/defaults.js';
import type { JwtConnectionDeclaration } from '../../src/connections/jwt-connection-schema.js';
import { effectiveAlgorithms } from '../../src/connections/jwt-connection-schema.js';
import type { ConnectionDeclaration } from '../../src/connections/connection-declaration.js';
import { parseDeclarations } from '../../src/setup/config-file.js';
import { configRefusal } from '../helpers/config-refusal.js';

const jsonFile = '/etc/gatehouse/gatehouse.json';
const yamlFile = '/etc/gatehouse/gatehouse.yaml';

/** 47 bytes: enough for HS256 (32), too short for HS384 (48) and HS512 (64). */
const secret = 'portal-shared-secret-0123456789abcdefghijklmnop';
const signInUrl = 'https://portal.partner.example/sso/gatehouse';

const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }) as string;
const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ed25519 = generateKeyPairSync('ed25519');
const x25519 = generateKeyPairSync('x25519');

/** A partner's connection verified with the shared secret unless `fields` say otherwise (undefined removes a field). */
const portal = (fields: Record<string, unknown> = {}) => ({ id: 'portal', name: 'Partner Portal', type: 'jwt', sign_in_url: signInUrl, secret, ...fields });
const withPublicKey = (pem: string, fields: Record<string, unknown> = {}) => portal({ secret: undefined, public_key: pem, ...fields });

const okta = (fields: Record<string, unknown> = {}) => ({
  id: 'okta', name: 'Corp Okta', type: 'oidc', discovery_url: 'https://corp.okta.example/.well-known/openid-configuration',
  client_id: '0oa1client', client_secret: 'okta-client-secret', ...fields,
});

const declared = (...connections: unknown[]): ConnectionDeclaration[] => parseDeclarations(JSON.stringify({ connections }), jsonFile).connections;
const onlyJwt = (connection: unknown): JwtConnectionDeclaration => {
  const [declaration] = declared(connection);
  assert.equal(declaration?.type, 'jwt', 'a jwt connection');
  return declaration as JwtConnectionDeclaration;
};
/** The whole message a JSON file of these connections is refused with. */
const refusal = (...connections: unknown[]) => configRefusal(() => parseDeclarations(JSON.stringify({ connections }), jsonFile));
/** The one line of a refusal that names an issue (the file's name and "invalid configuration" come before it). */
const problemLine = async (...connections: unknown[]) => {
  const message = await refusal(...connections);
  const lines = message.split('\n');
  assert.equal(lines[0], `${jsonFile}: invalid configuration`);
  assert.equal(lines.length, 2, `one problem only:\n${message}`);
  return lines[1]!.trim();
};

describe('a jwt connection as the configuration file declares it', () => {
  test('what is left out takes the defaults of defaults.ts (jti required, 300 s, 30 s skew, create, enabled)', () => {
    assert.deepEqual(onlyJwt(portal()), {
      id: 'portal', name: 'Partner Portal', type: 'jwt', sign_in_url: signInUrl, secret,
      require_jti: true, max_token_age_seconds: 300, clock_skew_seconds: 30, provisioning: 'create', enabled: true,
    });
    // The numbers above are the documented ones; they are also what defaults.ts says.
    assert.deepEqual(
      [defaults.jwtSso.requireJti, defaults.jwtSso.maxTokenAgeSeconds, defaults.jwtSso.clockSkewSeconds, defaults.jwtSso.provisioning],
      [true, 300, 30, 'create'],
    );
  });

  test('every field as written is kept, in YAML too, a multi-line PEM included', () => {
    const yaml = [
      'connections:',
      '  - id: partner-rsa',
      '    name: Partner (RSA)',
      '    type: jwt',
      `    sign_in_url: ${signInUrl}`,
      '    public_key: |',
      ...spki(rsa.publicKey).trimEnd().split('\n').map((line) => `      ${line}`),
      '    algorithms: [RS256, PS256]',
      '    issuer: https://portal.partner.example',
      '    audience: gatehouse',
      '    require_jti: false',
      '    max_token_age_seconds: 60',
      '    clock_skew_seconds: 5',
      '    provisioning: existing_users_only',
      '    enabled: false',
      '',
    ].join('\n');
    const [declaration] = parseDeclarations(yaml, yamlFile).connections;
    assert.deepEqual(declaration, {
      id: 'partner-rsa', name: 'Partner (RSA)', type: 'jwt', sign_in_url: signInUrl, public_key: spki(rsa.publicKey),
      algorithms: ['RS256', 'PS256'], issuer: 'https://portal.partner.example', audience: 'gatehouse',
      require_jti: false, max_token_age_seconds: 60, clock_skew_seconds: 5, provisioning: 'existing_users_only', enabled: false,
    });
  });

  test('the limits of the numbers: the age at most an hour, the skew at most five minutes', async () => {
    assert.equal(onlyJwt(portal({ max_token_age_seconds: 3600, clock_skew_seconds: 300 })).max_token_age_seconds, 3600);
    assert.match(await problemLine(portal({ max_token_age_seconds: 3601 })), /^connections\[0\] \("portal"\)\.max_token_age_seconds: /);
    assert.match(await problemLine(portal({ max_token_age_seconds: 0 })), /^connections\[0\] \("portal"\)\.max_token_age_seconds: /);
    assert.match(await problemLine(portal({ clock_skew_seconds: 301 })), /^connections\[0\] \("portal"\)\.clock_skew_seconds: /);
    assert.match(await problemLine(portal({ provisioning: 'invite' })), /^connections\[0\] \("portal"\)\.provisioning: /);
  });
});

describe('exactly one way to verify the partner\'s tokens', () => {
  test('none given: the refusal names the entry and the three fields', async () => {
    assert.equal(
      await problemLine(portal({ secret: undefined })),
      'connections[0] ("portal").secret: give the key that verifies the partner\'s tokens: secret, public_key or jwks_uri',
    );
  });

  test('two given: each pair is refused, naming the fields given and the entry', async () => {
    const jwksUri = 'https://portal.partner.example/.well-known/jwks.json';
    assert.equal(
      await problemLine(portal({ public_key: spki(rsa.publicKey) })),
      'connections[0] ("portal").public_key: give one of secret, public_key and jwks_uri, not secret and public_key',
    );
    assert.equal(
      await problemLine(portal({ jwks_uri: jwksUri })),
      'connections[0] ("portal").jwks_uri: give one of secret, public_key and jwks_uri, not secret and jwks_uri',
    );
    assert.equal(
      await problemLine(withPublicKey(spki(rsa.publicKey), { jwks_uri: jwksUri })),
      'connections[0] ("portal").jwks_uri: give one of secret, public_key and jwks_uri, not public_key and jwks_uri',
    );
    assert.equal(
      await problemLine(portal({ public_key: spki(rsa.publicKey), jwks_uri: jwksUri })),
      'connections[0] ("portal").public_key: give one of secret, public_key and jwks_uri, not secret and public_key and jwks_uri',
    );
  });

  test('the entry is named by its id also when it is not the first', async () => {
    assert.equal(
      await problemLine(okta(), portal({ id: 'second', secret: undefined })),
      'connections[1] ("second").secret: give the key that verifies the partner\'s tokens: secret, public_key or jwks_uri',
    );
  });
});

describe('a shared secret', () => {
  test('shorter than 32 bytes is refused, naming secret and its length in bytes (not characters)', async () => {
    assert.equal(
      await problemLine(portal({ secret: 'too-short-a-secret' })),
      'connections[0] ("portal").secret: must be at least 32 bytes long (it is 18): a random value, as a password manager generates one',
    );
    // 16 characters, 32 bytes in UTF-8: long enough.
    assert.equal(onlyJwt(portal({ secret: 'ééééééééééééééé\u00e9' })).secret, 'ééééééééééééééé\u00e9');
    // 31 ASCII bytes: one short.
    assert.match(await problemLine(portal({ secret: 'x'.repeat(31) })), /\.secret: must be at least 32 bytes long \(it is 31\)/);
    assert.equal(onlyJwt(portal({ secret: 'x'.repeat(32) })).secret, 'x'.repeat(32));
  });

  test('HS384 needs 48 bytes and HS512 64, the longest algorithm named deciding', async () => {
    assert.equal(Buffer.byteLength(secret), 47);
    assert.equal(
      await problemLine(portal({ algorithms: ['HS512'] })),
      'connections[0] ("portal").secret: must be at least 64 bytes long (it is 47): a random value, as a password manager generates one',
    );
    assert.match(await problemLine(portal({ algorithms: ['HS256', 'HS384'] })), /\.secret: must be at least 48 bytes long \(it is 47\)/);
    assert.deepEqual(onlyJwt(portal({ secret: 'y'.repeat(64), algorithms: ['HS512', 'HS256'] })).algorithms, ['HS512', 'HS256']);
  });

  test('RS256 (or any public-key algorithm) with a secret is refused', async () => {
    assert.equal(
      await problemLine(portal({ algorithms: ['RS256'] })),
      'connections[0] ("portal").algorithms: RS256 needs a public key; a secret verifies only HS256, HS384, HS512',
    );
    assert.match(await problemLine(portal({ algorithms: ['HS256', 'EdDSA'] })), /\.algorithms: EdDSA needs a public key/);
  });
});

describe('the algorithms', () => {
  test('"none" is never accepted, whatever the key', async () => {
    const none = await problemLine(portal({ algorithms: ['none'] }));
    assert.match(none, /^connections\[0\] \("portal"\)\.algorithms\[0\]: must be one of HS256, HS384, HS512, RS256, /);
    assert.match(none, /\("none" is never accepted\)$/);
    assert.match(await problemLine(withPublicKey(spki(rsa.publicKey), { algorithms: ['RS256', 'none'] })), /\.algorithms\[1\]: .*\("none" is never accepted\)$/);
    assert.match(await problemLine(portal({ algorithms: ['NONE'] })), /\.algorithms\[0\]: .*"none" is never accepted/);
  });

  test('an empty list or one naming an algorithm twice is refused', async () => {
    assert.equal(await problemLine(portal({ algorithms: [] })), 'connections[0] ("portal").algorithms: name at least one algorithm');
    assert.equal(await problemLine(portal({ algorithms: ['HS256', 'HS256'] })), 'connections[0] ("portal").algorithms: names an algorithm twice');
  });

  test('an HS algorithm with public_key or jwks_uri is refused, saying why', async () => {
    assert.equal(
      await problemLine(withPublicKey(spki(rsa.publicKey), { algorithms: ['RS256', 'HS256'] })),
      'connections[0] ("portal").algorithms: HS256 is an HMAC algorithm, accepted only with a secret: with a public key it would let anyone who has that key sign',
    );
    assert.equal(
      await problemLine(portal({ secret: undefined, jwks_uri: 'https://portal.partner.example/jwks', algorithms: ['HS384'] })),
      'connections[0] ("portal").algorithms: HS384 is an HMAC algorithm, accepted only with a secret: with a public key it would let anyone who has that key sign',
    );
  });
});

describe('a public key', () => {
  test('a private key is refused, saying it is private, and nothing of it is echoed', async () => {
    const line = await problemLine(withPublicKey(pkcs8(rsa.privateKey)));
    assert.equal(line, 'connections[0] ("portal").public_key: is a private key: give the partner\'s public key (-----BEGIN PUBLIC KEY-----), the private one stays with the partner');
    const body = pkcs8(rsa.privateKey).split('\n')[1]!;
    assert.ok(!(await refusal(withPublicKey(pkcs8(rsa.privateKey)))).includes(body), 'the private key is not in the message');
    assert.match(await problemLine(withPublicKey(pkcs8(p256.privateKey))), /\.public_key: is a private key/);
    assert.match(await problemLine(withPublicKey(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string)), /\.public_key: is a private key/);
  });

  test('garbage is refused: text that is no PEM, and a PEM that is no key', async () => {
    assert.equal(
      await problemLine(withPublicKey('not a key at all')),
      'connections[0] ("portal").public_key: must be a PEM public key (-----BEGIN PUBLIC KEY-----) or certificate',
    );
    assert.match(
      await problemLine(withPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')),
      /^connections\[0\] \("portal"\)\.public_key: cannot be read as a public key \(/,
    );
  });

  test('a key no supported algorithm uses (X25519) is refused, naming its type', async () => {
    assert.equal(
      await problemLine(withPublicKey(spki(x25519.publicKey))),
      'connections[0] ("portal").public_key: is a x25519 key, which no supported algorithm uses (RSA, EC P-256/384/521 or Ed25519)',
    );
  });

  test('the algorithms must be ones the key verifies: an EC P-256 key with RS256 is refused, with ES256 accepted', async () => {
    assert.equal(
      await problemLine(withPublicKey(spki(p256.publicKey), { algorithms: ['RS256'] })),
      'connections[0] ("portal").algorithms: RS256 cannot be verified with this ec key (it verifies ES256)',
    );
    assert.match(await problemLine(withPublicKey(spki(p256.publicKey), { algorithms: ['ES384'] })), /\.algorithms: ES384 cannot be verified with this ec key \(it verifies ES256\)/);
    assert.match(await problemLine(withPublicKey(spki(rsa.publicKey), { algorithms: ['RS256', 'ES256'] })), /\.algorithms: ES256 cannot be verified with this rsa key \(it verifies RS256, RS384, RS512, PS256, PS384, PS512\)/);
    const accepted = onlyJwt(withPublicKey(spki(p256.publicKey), { algorithms: ['ES256'] }));
    assert.deepEqual([accepted.algorithms, accepted.public_key, accepted.secret], [['ES256'], spki(p256.publicKey), undefined]);
    assert.deepEqual(onlyJwt(withPublicKey(spki(ed25519.publicKey), { algorithms: ['EdDSA'] })).algorithms, ['EdDSA']);
  });

  test('a bundle of a public key and the private key is refused: the private key would be stored in clear', async () => {
    const bundle = spki(rsa.publicKey) + pkcs8(rsa.privateKey);
    assert.match(await problemLine(withPublicKey(bundle)), /\.public_key: is a private key/);
    assert.match(await problemLine(withPublicKey(pkcs8(rsa.privateKey) + spki(rsa.publicKey))), /\.public_key: is a private key/);
  });
});

describe('the rest of a jwt entry', () => {
  test('an unknown field is refused, naming it (an OpenID Connect field included)', async () => {
    assert.equal(await problemLine(portal({ issuer_url: 'https://portal.partner.example' })), 'connections[0] ("portal"): unknown field "issuer_url"');
    assert.equal(await problemLine(portal({ email_domains: ['partner.example'] })), 'connections[0] ("portal"): unknown field "email_domains"');
    assert.equal(await problemLine(portal({ client_secret: secret })), 'connections[0] ("portal"): unknown field "client_secret"');
  });

  test('sign_in_url must be an absolute http(s) URL without a fragment', async () => {
    const refused = 'connections[0] ("portal").sign_in_url: must be an absolute https URL';
    assert.equal(await problemLine(portal({ sign_in_url: '/sso/gatehouse' })), refused);
    assert.equal(await problemLine(portal({ sign_in_url: 'portal.partner.example/sso' })), refused);
    assert.equal(await problemLine(portal({ sign_in_url: 'ftp://portal.partner.example/sso' })), refused);
    assert.equal(await problemLine(portal({ sign_in_url: 'javascript:alert(1)' })), refused);
    assert.equal(await problemLine(portal({ sign_in_url: 'https://portal.partner.example/sso#top' })), 'connections[0] ("portal").sign_in_url: must not contain a fragment');
    assert.match(await problemLine(portal({ sign_in_url: undefined })), /^connections\[0\] \("portal"\)\.sign_in_url: /);
    // Whether plain http may be used depends on the environment, which the service checks; the file takes it.
    assert.equal(onlyJwt(portal({ sign_in_url: 'http://portal.intranet.example/sso' })).sign_in_url, 'http://portal.intranet.example/sso');
    assert.equal(onlyJwt(portal({ sign_in_url: 'https://portal.partner.example/sso?app=gatehouse' })).sign_in_url, 'https://portal.partner.example/sso?app=gatehouse');
  });

  test('an unknown or missing type is refused, naming both kinds', async () => {
    const refused = 'connections[0] ("portal").type: must be "oidc" (an OpenID Connect provider) or "jwt" (a partner that signs users in with a JWT)';
    assert.equal(await problemLine(portal({ type: 'saml' })), refused);
    assert.equal(await problemLine(portal({ type: 'JWT' })), refused);
    assert.equal(await problemLine(portal({ type: undefined })), refused);
  });

  test('the id and name follow the rules of every connection', async () => {
    assert.match(await problemLine(portal({ id: 'Partner Portal' })), /^connections\[0\] \("Partner Portal"\)\.id: use 1 to 64 lower-case letters, digits, - or _/);
    assert.equal(await problemLine(portal({ name: '  ' })), 'connections[0] ("portal").name: must not be empty');
  });

  test('ids are unique across oidc and jwt connections', async () => {
    assert.equal(await refusal(okta(), portal({ id: 'okta' })), `${jsonFile}: connections[1] ("okta"): declared twice`);
    assert.equal(await refusal(portal(), okta({ id: 'portal' })), `${jsonFile}: connections[1] ("portal"): declared twice`);
    assert.equal(await refusal(portal(), portal({ name: 'Again' })), `${jsonFile}: connections[1] ("portal"): declared twice`);
    const both = declared(okta({ email_domains: ['corp.example'] }), portal(), portal({ id: 'portal-2' }));
    assert.deepEqual(both.map((connection) => [connection.id, connection.type]), [['okta', 'oidc'], ['portal', 'jwt'], ['portal-2', 'jwt']]);
  });
});

describe('effectiveAlgorithms: the allow-list when the declaration names none', () => {
  const settingsOf = (connection: Record<string, unknown>) => onlyJwt(connection);

  test('a secret verifies HS256', () => {
    assert.deepEqual(effectiveAlgorithms(settingsOf(portal())), ['HS256']);
  });

  test('a key set verifies the asymmetric algorithms of defaults.ts', () => {
    const fromJwks = effectiveAlgorithms(settingsOf(portal({ secret: undefined, jwks_uri: 'https://portal.partner.example/jwks' })));
    assert.deepEqual(fromJwks, [...defaults.jwtSso.jwksAlgorithms]);
    assert.deepEqual(fromJwks, ['RS256', 'PS256', 'ES256', 'EdDSA']);
  });

  test('a public key verifies the algorithm its type is usually used with', () => {
    assert.deepEqual(effectiveAlgorithms(settingsOf(withPublicKey(spki(rsa.publicKey)))), ['RS256']);
    assert.deepEqual(effectiveAlgorithms(settingsOf(withPublicKey(spki(ed25519.publicKey)))), ['EdDSA']);
    assert.deepEqual(effectiveAlgorithms(settingsOf(withPublicKey(spki(p384.publicKey)))), ['ES384']);
    assert.deepEqual(effectiveAlgorithms(settingsOf(withPublicKey(spki(p256.publicKey)))), ['ES256']);
  });

  test('named algorithms are the list, as named, and a copy', () => {
    const settings = settingsOf(withPublicKey(spki(rsa.publicKey), { algorithms: ['PS256', 'RS512'] }));
    const list = effectiveAlgorithms(settings);
    assert.deepEqual(list, ['PS256', 'RS512']);
    list.push('RS256');
    assert.deepEqual(settings.algorithms, ['PS256', 'RS512'], 'the declaration is not changed through the list');
  });
});
