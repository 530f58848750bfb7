import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import { parseDeclarations } from '../../src/setup/config-file.js';
import { redirectUri } from '../helpers/applications.js';
import { configRefusal } from '../helpers/config-refusal.js';
import { asOidcDeclaration } from '../helpers/connection-types.js';

const jsonFile = '/etc/gatehouse/gatehouse.json';
const yamlFile = '/etc/gatehouse/gatehouse.yaml';

const validUser = (username: string) => ({ username, password: `${username} has a long enough password` });
const validApplication = (clientId: string) => ({ client_id: clientId, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri] });
const confidentialApplication = (clientId: string, settings: Record<string, unknown>) => ({
  client_id: clientId,
  client_secret: `${clientId}-secret-0123456789-0123456789`,
  redirect_uris: [redirectUri],
  ...settings,
});

/** The message a file's text is refused with. */
const refusal = (text: string, fileName = jsonFile) => configRefusal(() => parseDeclarations(text, fileName));
/** The message a JSON file of these declarations is refused with. */
const refusalOf = (declarations: unknown) => refusal(JSON.stringify(declarations));

describe('a configuration file is checked before anything is stored', () => {
  test('the entries the refusals below start from are accepted, each section defaulting when left out', () => {
    const declarations = parseDeclarations(JSON.stringify({ applications: [validApplication('notes')], users: [validUser('ursula')] }), jsonFile);
    assert.deepEqual(declarations.applications.map((a) => [a.client_id, a.response_types]), [['notes', ['code']]]);
    assert.deepEqual(declarations.users.map((u) => u.username), ['ursula']);
    assert.deepEqual(declarations.scopes, []);
    assert.deepEqual(declarations.security, defaultSecuritySettings);
    assert.deepEqual(parseDeclarations(JSON.stringify({ scopes: [{ name: 'employee', description: 'Your department', claims: ['department'] }] }), jsonFile).scopes.map((s) => s.name), ['employee']);
  });

  test('an unknown field names the file, the entry and the field', async () => {
    const message = await refusalOf({ applications: [{ ...validApplication('notes'), redirect_url: redirectUri }] });
    assert.match(message, /^\/etc\/gatehouse\/gatehouse\.json: /);
    assert.match(message, /applications\[0\] \("notes"\)/);
    assert.match(message, /unknown field "redirect_url"/);
  });

  test('an unknown top-level section is named', async () => {
    const message = await refusalOf({ clients: [] });
    assert.match(message, /gatehouse\.json/);
    assert.match(message, /unknown field "clients"/);
  });

  test('a top level that is not a mapping is refused, naming the sections', async () => {
    const message = await refusal('- notes\n- ursula\n', yamlFile);
    assert.match(message, /gatehouse\.yaml: the top level must be a mapping \(applications:, users:, scopes:, resources:, connections:, security:, audit:, mfa:, email:\)/);
  });

  test('an invalid value names the entry and the field', async () => {
    const message = await refusalOf({ applications: [{ ...validApplication('notes'), redirect_uris: ['not a url'] }] });
    assert.match(message, /gatehouse\.json/);
    assert.match(message, /applications\[0\] \("notes"\)\.redirect_uris\[0\]/);
  });

  test('a value of the wrong type names the entry and the field', async () => {
    const message = await refusalOf({ users: [validUser('ursula'), { ...validUser('victor'), groups: 'staff' }] });
    assert.match(message, /gatehouse\.json/);
    assert.match(message, /users\[1\] \("victor"\)\.groups/);
    assert.match(message, /array/i);
  });

  test('a file that is not YAML says so, with the file and the line', async () => {
    const message = await refusal('applications:\n  - client_id: notes\n    redirect_uris: [https://app.example.test/callback\nusers: []\n', yamlFile);
    assert.match(message, /gatehouse\.yaml/);
    assert.match(message, /not valid YAML/);
    assert.match(message, /line \d+/);
  });

  test('a YAML error quotes nothing of the file, which may hold passwords and secrets', async () => {
    const secret = 'ursula-keeps-this-to-herself';
    for (const text of [
      `users:\n  - username: ursula\n    password: "${secret}\n`,
      `users:\n  - username: ursula\n    password: ${secret}\n    password: ${secret}-again\n`,
      `applications: [{ client_id: notes, client_secret: ${secret}\n`,
    ]) {
      const message = await refusal(text, yamlFile);
      assert.match(message, /not valid YAML or JSON at line \d+, column \d+: /, text);
      assert.ok(!message.includes(secret), `the message quotes the file: ${message}`);
      assert.ok(!message.includes('\n'), `one line, no excerpt: ${message}`);
    }
  });

  test('a YAML file is checked the same way', async () => {
    const message = await refusal('users:\n  - username: tom\n    passwd: tom has a long enough password\n', yamlFile);
    assert.match(message, /gatehouse\.yaml/);
    assert.match(message, /users\[0\] \("tom"\)/);
    assert.match(message, /unknown field "passwd"/);
  });

  test('a duplicate client_id names the second entry', async () => {
    const message = await refusalOf({ applications: [validApplication('notes'), validApplication('notes')] });
    assert.match(message, /gatehouse\.json/);
    assert.match(message, /applications\[1\] \("notes"\)/);
    assert.match(message, /declared twice/);
  });

  test('a duplicate username differing only in case and width is a duplicate too', async () => {
    const message = await refusalOf({ users: [validUser('Wendy'), validUser('ｗｅｎｄｙ')] });
    assert.match(message, /users\[1\]/);
    assert.match(message, /declared twice/);
  });

  test('a password_hash is checked as an import checks it: whole, and not too costly to verify, naming the user and the field', async () => {
    const bcryptBody = 'N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
    const argon2 = (parameters: string) => `$argon2id$v=19$${parameters}$c29tZXNhbHQ$ZNVSTkRU0fYh8Q1V6mP7d1fX5Q0D0Rf9cB6pYJv3Hko`;
    const declared = parseDeclarations(JSON.stringify({ users: [
      { username: 'yara', password_hash: `$2b$12$${bcryptBody}` },
      { username: 'zack', password_hash: argon2('m=19456,t=2,p=1') },
    ] }), jsonFile);
    assert.deepEqual(declared.users.map((u) => u.username), ['yara', 'zack']);
    const refused = async (hash: string) => refusalOf({ users: [validUser('ursula'), { username: 'yara', password_hash: hash }] });
    assert.match(await refused(`$2b$31$${bcryptBody}`), /users\[1\] \("yara"\)\.password_hash: a bcrypt cost of 31 is more than the 14 every sign-in attempt could afford/);
    assert.match(await refused(argon2('m=4194304,t=1,p=1')), /users\[1\] \("yara"\)\.password_hash: argon2 parameters above m=262144,t=10,p=16, more than every sign-in attempt could afford/);
    assert.match(await refused(argon2('m=19456,t=2,p=1').slice(0, -30)), /users\[1\] \("yara"\)\.password_hash: the argon2 output \(the last part\) is not unpadded base64 of at least 16 bytes/);
    assert.match(await refused(`$2b$10$${bcryptBody.slice(0, -1)}`), /users\[1\] \("yara"\)\.password_hash: not a complete argon2 hash/);
    assert.match(await refused('5f4dcc3b5aa765d61d8327deb882cf99'), /users\[1\] \("yara"\)\.password_hash: must be an argon2 \(\$argon2id\$\.\.\.\) or bcrypt \(\$2b\$\.\.\.\) hash/);
  });
});

describe('an application declares exactly the modes it gets', () => {
  test('a response type without the grant it needs is refused, naming the application and the field', async () => {
    const message = await refusalOf({ applications: [confidentialApplication('spa', { grant_types: ['authorization_code'], response_types: ['code', 'id_token token'] })] });
    assert.match(message, /applications\[0\] \("spa"\)\.grant_types/);
    assert.match(message, /response type "id_token token" needs the "implicit" grant type/);
  });

  test('a grant without any response type that uses it is refused', async () => {
    const message = await refusalOf({ applications: [confidentialApplication('spa', { grant_types: ['authorization_code', 'implicit'], response_types: ['code'] })] });
    assert.match(message, /applications\[0\] \("spa"\)\.response_types/);
    assert.match(message, /"implicit" grant type needs a response type with "id_token" or "token"/);
  });

  test('client credentials with no client authentication is refused', async () => {
    const message = await refusalOf({ applications: [{ client_id: 'robot', grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }] });
    assert.match(message, /\("robot"\)\.token_endpoint_auth_method/);
  });

  test('private_key_jwt without the application\'s keys is refused', async () => {
    const message = await refusalOf({ applications: [{ client_id: 'robot', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' }] });
    assert.match(message, /"private_key_jwt" needs the application's public keys in "jwks" or "jwks_uri"/);
  });

  test('an application with only client credentials needs no redirect URI: its response types default to none', () => {
    const [robot] = parseDeclarations(JSON.stringify({ applications: [{ client_id: 'robot', client_secret: 'robot-secret-0123456789-0123456789-01', grant_types: ['client_credentials'] }] }), jsonFile).applications;
    assert.deepEqual(robot?.response_types, []);
    assert.deepEqual(robot?.redirect_uris, []);
  });

  test('a custom scope may not take the name of a standard one, Gatehouse\'s groups included', async () => {
    for (const name of ['openid', 'offline_access', 'groups']) {
      const message = await refusalOf({ scopes: [{ name, description: 'Something else', claims: ['team'] }] });
      assert.match(message, new RegExp(`scopes\\[0\\] \\("${name}"\\)\\.name: is a standard scope and cannot be redefined`), name);
    }
  });
});

describe('security settings', () => {
  test('an invalid setting is refused with a message naming it', async () => {
    const security = async (settings: Record<string, unknown>) => refusalOf({ security: settings });
    assert.match(await security({ lockout_threshold: 0 }), /security\.lockout_threshold: .*>=\s?1/);
    assert.match(await security({ lockout_window_seconds: 'soon' }), /security\.lockout_window_seconds/);
    assert.match(await security({ ip_window_seconds: 86400 }), /ip_window_seconds must not exceed ip_max_block_seconds/);
    assert.match(await security({ lockout_base_seconds: 1200 }), /lockout_base_seconds must not exceed lockout_max_seconds/);
    assert.match(await security({ password_min_length: 4 }), /security\.password_min_length/);
    assert.match(await security({ lockout_treshold: 3 }), /security: unknown field "lockout_treshold"/);
    assert.match(await security({ client_auth_threshold: 0 }), /security\.client_auth_threshold: .*>=\s?1/);
    assert.match(await security({ client_auth_window_seconds: 7200 }), /client_auth_window_seconds must not exceed client_auth_max_block_seconds/);
  });

  test('ip_allowlist takes addresses and CIDR ranges, normalized, and a bad entry is refused naming the field and the entry', async () => {
    const allowlist = (entries: unknown) => parseDeclarations(JSON.stringify({ security: { ip_allowlist: entries } }), jsonFile).security.ipAllowlist;
    assert.deepEqual(allowlist(['203.0.113.7', '10.0.0.0/8', '2001:DB8::/32', '::ffff:192.0.2.1']), ['203.0.113.7/32', '10.0.0.0/8', '2001:db8::/32', '::ffff:c000:201/128']);
    assert.deepEqual(allowlist([]), []);
    const security = async (settings: Record<string, unknown>) => refusalOf({ security: settings });
    assert.match(await security({ ip_allowlist: ['10.0.0.0/8', '10.0.0.300'] }), /security\.ip_allowlist\[1\]: "10\.0\.0\.300" is not a valid IP address/);
    assert.match(await security({ ip_allowlist: ['10.0.0.0/33'] }), /security\.ip_allowlist\[0\]: "10\.0\.0\.0\/33" is not a valid CIDR range/);
    assert.match(await security({ ip_allowlist: ['10.0.0.1, 10.0.0.2'] }), /security\.ip_allowlist\[0\]: "10\.0\.0\.1, 10\.0\.0\.2": give one address or CIDR range per entry/);
    assert.match(await security({ ip_allowlist: '10.0.0.0/8' }), /security\.ip_allowlist: /);
    assert.match(await security({ ip_allowlist: [42] }), /security\.ip_allowlist\[0\]: /);
  });
});

describe('connections', () => {
  const okta = (fields: Record<string, unknown> = {}) => ({
    id: 'okta', name: 'Corp Okta', type: 'oidc', discovery_url: 'https://corp.okta.example/.well-known/openid-configuration',
    client_id: '0oa1client', client_secret: 'okta-client-secret', ...fields,
  });
  const manual = {
    issuer: 'https://corp.onelogin.example/oidc/2', authorization_endpoint: 'https://corp.onelogin.example/oidc/2/auth',
    token_endpoint: 'https://corp.onelogin.example/oidc/2/token', jwks_uri: 'https://corp.onelogin.example/oidc/2/certs',
  };
  const connectionRefusal = (...connections: unknown[]) => refusalOf({ connections });

  test('a connection takes the defaults of defaults.ts, scopes as a list or as one string, domains lower-cased', () => {
    const [declared] = parseDeclarations(JSON.stringify({ connections: [okta({ email_domains: ['Corp.Example.'] })] }), jsonFile).connections;
    assert.deepEqual(declared, {
      ...okta(), token_endpoint_auth_method: 'client_secret_basic', scopes: ['openid', 'profile', 'email'], username_claim: 'preferred_username',
      provisioning: 'create', update_profile: 'on_login', email_domains: ['corp.example'], forward_login_hint: true, trust_upstream_mfa: false, enabled: true,
    });
    const yaml = 'connections:\n  - id: onelogin\n    name: OneLogin\n    type: oidc\n'
      + Object.entries(manual).map(([field, value]) => `    ${field}: ${value}\n`).join('')
      + '    client_id: abc\n    client_secret: def\n    token_endpoint_auth_method: client_secret_post\n    scopes: openid email groups\n    groups_claim: groups\n';
    const onelogin = asOidcDeclaration(parseDeclarations(yaml, yamlFile).connections[0]);
    assert.deepEqual(onelogin.scopes, ['openid', 'email', 'groups']);
    assert.equal(onelogin.token_endpoint_auth_method, 'client_secret_post');
    assert.equal(onelogin.discovery_url, undefined);
  });

  test('an unknown field or a bad value names the file, the entry by its id, and the field', async () => {
    const unknown = await connectionRefusal(okta({ clientSecret: 'x' }));
    assert.match(unknown, /^\/etc\/gatehouse\/gatehouse\.json: /);
    assert.match(unknown, /connections\[0\] \("okta"\): unknown field "clientSecret"/);
    assert.match(await connectionRefusal(okta(), okta({ id: 'google', provisioning: 'invite' })), /connections\[1\] \("google"\)\.provisioning/);
    assert.match(await connectionRefusal(okta({ id: 'Okta Corp' })), /connections\[0\] \("Okta Corp"\)\.id: use 1 to 64 lower-case letters, digits, - or _/);
    assert.match(await connectionRefusal(okta({ type: 'saml' })), /connections\[0\] \("okta"\)\.type: must be "oidc"/);
    assert.match(await connectionRefusal(okta({ client_secret: '' })), /\("okta"\)\.client_secret: must not be empty/);
    assert.match(await connectionRefusal(okta({ forward_login_hint: 'yes' })), /\("okta"\)\.forward_login_hint/);
    assert.match(await connectionRefusal(okta({ email_domains: ['not a domain'] })), /\("okta"\)\.email_domains\[0\]: must be a domain name/);
    assert.match(await connectionRefusal(okta({ email_domains: ['corp.example', 'CORP.example'] })), /\("okta"\)\.email_domains: names a domain twice/);
  });

  test('scopes must include openid', async () => {
    assert.match(await connectionRefusal(okta({ scopes: 'profile email' })), /\("okta"\)\.scopes: must include openid/);
    assert.match(await connectionRefusal(okta({ scopes: ['openid', 'openid'] })), /\("okta"\)\.scopes: names a scope twice/);
    assert.match(await connectionRefusal(okta({ scopes: [] })), /\("okta"\)\.scopes/);
  });

  test('the metadata comes from discovery_url or from the endpoints, never both and never neither', async () => {
    const both = await connectionRefusal(okta({ ...manual }));
    assert.match(both, /\("okta"\)\.issuer: give either discovery_url or the endpoints/);
    const neither = await connectionRefusal(okta({ discovery_url: undefined }));
    assert.match(neither, /\("okta"\)\.discovery_url: give discovery_url, or the endpoints issuer, authorization_endpoint, token_endpoint and jwks_uri/);
    const incomplete = await connectionRefusal(okta({ discovery_url: undefined, ...manual, token_endpoint: undefined, jwks_uri: undefined }));
    assert.match(incomplete, /\("okta"\)\.token_endpoint: is required with the endpoints typed in/);
    assert.match(incomplete, /\("okta"\)\.jwks_uri: is required with the endpoints typed in/);
  });

  test('a discovery URL must be the issuer\'s document, and every URL absolute', async () => {
    assert.match(await connectionRefusal(okta({ discovery_url: 'https://corp.okta.example' })), /\("okta"\)\.discovery_url: must be the issuer's discovery document: the issuer followed by \/\.well-known\/openid-configuration/);
    assert.match(await connectionRefusal(okta({ discovery_url: 'corp.okta.example/.well-known/openid-configuration' })), /\("okta"\)\.discovery_url: must be an absolute https URL/);
    assert.match(await connectionRefusal(okta({ discovery_url: undefined, ...manual, jwks_uri: 'ftp://corp.onelogin.example/certs' })), /\("okta"\)\.jwks_uri: must be an absolute https URL/);
    assert.match(await connectionRefusal(okta({ discovery_url: 'https://user:secret@corp.okta.example/.well-known/openid-configuration' })), /\("okta"\)\.discovery_url: must not carry a user name or password/);
    assert.match(await connectionRefusal({ id: 'portal', type: 'jwt', name: 'Portal', sign_in_url: 'https://me:pw@portal.example/sso', secret: 'portal-shared-secret-0123456789abcdefghijklmnop' }), /\("portal"\)\.sign_in_url: must not carry a user name or password/);
  });

  test('ids and email domains are unique across connections', async () => {
    assert.match(await connectionRefusal(okta(), okta({ name: 'Again' })), /connections\[1\] \("okta"\): declared twice/);
    const shared = await connectionRefusal(okta({ email_domains: ['corp.example'] }), okta({ id: 'google', email_domains: ['Corp.example'] }));
    assert.match(shared, /connections\[1\] \("google"\)\.email_domains: "corp\.example" goes to connections\[0\] \("okta"\) already/);
  });
});
