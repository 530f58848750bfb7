/*
 * `gatehouse config validate <file>` and `gatehouse config export`: a file is checked as a start
 * checks it, without any database; the export of a database is a file that validates and that a
 * fresh start applies to the same applications, users, scopes, connections, MFA policy and SMTP
 * settings, and no secret of the installation is in it (the SMTP password neither). A good and a bad file are validated by the built bin
 * (package.json's bin, dist/cli/main.js) as a process of its own, with a temporary data
 * directory it must leave uncreated; the other checks run in-process, which is faster.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { parse as parseYaml } from 'yaml';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { assertCurrentBuild, gatehouse, gatehouseIn, runGatehouse } from '../../helpers/cli.js';
import { signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import type { Services } from '../../../src/services.js';

const partnerSecret = 'partner-hmac-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const upstreamSecret = 'upstream-client-secret-0123456789abcdef';
const alicePassword = 'alice follows the white rabbit';
const smtpPassword = 'smtp-password-never-exported-0123456789';
const publicKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;

const declarations = {
  applications: [
    { client_id: 'web', client_name: 'Web Notes', client_secret: secretOf('web'), redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'], scope: 'openid profile badge offline_access' },
    { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], post_logout_redirect_uris: ['https://app.example.test/bye'] },
  ],
  users: [
    {
      username: 'Alice', email: 'alice@example.com', email_verified: true, password: alicePassword, name: 'Alice Liddell', given_name: 'Alice',
      address: { locality: 'Oxford', country: 'GB' }, groups: ['staff', 'readers'], attributes: { badge_colour: 'blue', floor: 3, remote: true, tags: ['a', 'b'] },
    },
    { username: 'mallory', password: 'mallory is not allowed in', disabled: true },
  ],
  scopes: [{ name: 'badge', description: 'Your badge', claims: ['badge_colour'] }],
  connections: [
    { id: 'okta', name: 'Corp Okta', type: 'oidc', discovery_url: 'https://corp.okta.example/.well-known/openid-configuration', client_id: 'gatehouse', client_secret: upstreamSecret, email_domains: ['corp.example'], groups_claim: 'groups' },
    { id: 'manual', name: 'Manual IdP', type: 'oidc', issuer: 'https://idp.example', authorization_endpoint: 'https://idp.example/auth', token_endpoint: 'https://idp.example/token', jwks_uri: 'https://idp.example/jwks', client_id: 'gh', client_secret: upstreamSecret, enabled: false },
    { id: 'portal', name: 'Partner Portal', type: 'jwt', sign_in_url: 'https://portal.partner.example/sso', secret: partnerSecret, issuer: 'portal', audience: 'gatehouse' },
    { id: 'keyed', name: 'Keyed Partner', type: 'jwt', sign_in_url: 'https://keyed.partner.example/sso', public_key: publicKeyPem },
  ],
  security: { password_min_length: 14, ip_threshold: 500 },
};

/** Set in the source's database (not its file), as an administrator does through the API. */
const mfaPolicy = { policy: 'off', require_for_administrators: false } as const;
const smtpSettings = { host: 'smtp.example.com', port: 2525, tls: 'starttls', user: 'gatehouse@example.com', password: smtpPassword, from: { address: 'id@example.com', name: 'Example ID' } } as const;

/** What a database holds, as comparable as two installations can be: everything but ids, times, owners and secrets. */
async function contents(services: Services) {
  const applications = (await services.applications.list()).map((row) => JSON.parse(row.metadata) as unknown);
  const users: unknown[] = [];
  for (let page = await services.users.listAfter(undefined, 2), last: string | undefined; page.length > 0; page = await services.users.listAfter(last, 2)) {
    users.push(...page.map(({ username, email, profile, groups, attributes, disabled }) => ({ username, email, profile, groups, attributes, disabled })));
    last = page[page.length - 1]!.username.toLowerCase();
  }
  const connections = (await services.connections.list()).map((connection) => ({
    ...connection,
    ...('clientSecret' in connection ? { clientSecret: '(secret)' } : {}),
    ...('key' in connection && 'secret' in connection.key ? { key: { secret: '(secret)' }, enabled: '(enabled)' } : {}),
  }));
  const mfa = await services.mfa.settings.get();
  const { smtp } = await services.email.settings.get();
  return { applications, users, scopes: await services.scopes.list(), connections, mfa: { ...mfa, owner: '(owner)' }, smtp: smtp && { ...smtp, hasPassword: '(left out)' } };
}

describe('gatehouse config validate, without a database', () => {
  let dir: string;
  const nowhere = () => path.join(dir, 'no-data-here');
  /** Validates `text` as a file, with the built bin when `bin` is set, else in-process. */
  const validate = async (text: string, { env = {}, bin = false }: { env?: Record<string, string>; bin?: boolean } = {}) => {
    const file = path.join(dir, `file-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, text);
    const environment = { GATEHOUSE_DATA_DIR: nowhere(), GATEHOUSE_LOG_LEVEL: 'silent', ...env };
    const argv = ['config', 'validate', file];
    return { file, ...(await (bin ? runGatehouse(argv, environment) : gatehouseIn(environment, argv))) };
  };

  before(async () => {
    assertCurrentBuild();
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-validate-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a good file is "valid", with what it declares, and no data directory or database is created', async () => {
    const { code, stdout, stderr, file } = await validate(JSON.stringify(declarations), { bin: true });
    assert.deepEqual([code, stderr], [0, '']);
    assert.equal(stdout, `valid: ${file} declares 2 applications, 2 users, 1 scope and 4 connections\n`);
    assert.equal(existsSync(nowhere()), false);
  });

  test('a PostgreSQL environment that cannot be reached does not matter', async () => {
    const { code, stdout } = await validate('applications: []\n', { env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing', GATEHOUSE_SECRET: 'some-secret-0123456789-0123456789-0123' } });
    assert.equal(code, 0);
    assert.match(stdout, /^valid: .* declares 0 applications, 0 users, 0 scopes and 0 connections\n$/);
  });

  test('a bad file: exit status 1 and each problem the schema finds, naming the entry and the field', async () => {
    const { code, stdout, stderr, file } = await validate([
      'applications:',
      '  - client_id: notes',
      '    redirect_uris: [not-a-url]',
      '    grant_types: [authorization_code, magic]',
      'users:',
      '  - username: bob',
      '    email: bob-at-example',
      '    colour: blue',
      'connections:',
      '  - id: portal',
      '    name: Portal',
      '    type: jwt',
      '    sign_in_url: https://portal.example/sso',
      '    secret: too-short',
    ].join('\n'), { bin: true });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^gatehouse: ${file.replace(/[.]/g, '\\.')}: invalid configuration\n`));
    assert.match(stderr, /\n {2}applications\[0\] \("notes"\)\.redirect_uris\[0\]: Invalid URL\n/);
    assert.match(stderr, /\n {2}applications\[0\] \("notes"\)\.grant_types\[1\]: Invalid option/);
    assert.match(stderr, /\n {2}users\[0\] \("bob"\)\.email: Invalid email address\n/);
    assert.match(stderr, /\n {2}users\[0\] \("bob"\): unknown field "colour"\n/);
    assert.match(stderr, /\n {2}connections\[0\] \("portal"\)\.secret: must be at least 32 bytes long/);
    assert.equal(existsSync(nowhere()), false);
  });

  test('what only a start finds is found too: the engine\'s client rules, the file\'s password policy, a scope nobody defines', async () => {
    const engine = await validate('applications:\n  - client_id: desktop\n    redirect_uris: ["myapp://callback"]\n');
    assert.equal(engine.code, 1);
    assert.match(engine.stderr, /applications\[0\] \("desktop"\): redirect_uris must only contain web uris/);
    const policy = await validate('security:\n  password_min_length: 20\nusers:\n  - username: bob\n    password: only sixteen chr\n');
    assert.equal(policy.code, 1);
    assert.match(policy.stderr, /users\[0\] \("bob"\): the password must be at least 20 characters long/);
    const scope = await validate(`applications:\n  - client_id: web\n    redirect_uris: ["${redirectUri}"]\n    scope: openid payroll\n`);
    assert.equal(scope.code, 1);
    assert.match(scope.stderr, /applications\[0\] \("web"\): scope must only contain Authorization Server supported scope values/);
    const unreadable = await gatehouseIn({ GATEHOUSE_DATA_DIR: nowhere() }, ['config', 'validate', path.join(dir, 'missing.yaml')]);
    assert.equal(unreadable.code, 1);
    assert.match(unreadable.stderr, /missing\.yaml: cannot be read \(ENOENT\)/);
  });
});

for (const dialect of dialects) {
  describe(`gatehouse config export (${dialect})`, () => {
    let source: TestServer;
    let copy: TestServer | undefined;
    let exported: string;
    let cliSecret: string;
    let dir: string;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-export-'));
      source = await startServer({ dialect, declarations });
      const created = await gatehouse(source, ['apps', 'create', 'cli-app', '--name', 'From the CLI', '--redirect-uri', redirectUri, '--scope', 'openid badge']);
      cliSecret = /client_secret: (\S+)/.exec(created.stdout)![1]!;
      assert.equal((await gatehouse(source, ['users', 'create', 'carol', '--email', 'carol@example.com', '--group', 'ops', '--password'], 'carol keeps seven cats')).code, 0);
      const admin = { kind: 'system', reason: 'test' } as const;
      await source.services.mfa.settings.update(admin, { policy: mfaPolicy.policy, require_for_administrators: mfaPolicy.require_for_administrators });
      await source.services.email.settings.update(admin, { ...smtpSettings, allow_insecure: false });
      const result = await gatehouse(source, ['config', 'export']);
      assert.deepEqual([result.code, result.stderr], [0, '']);
      exported = result.stdout;
    });
    after(async () => {
      await copy?.close();
      await source?.close();
      await rm(dir, { recursive: true, force: true });
    });

    test('the export names no secret of the installation, and says at its top that every secret is left out', () => {
      for (const secret of [secretOf('web'), cliSecret, partnerSecret, upstreamSecret, alicePassword, 'carol keeps seven cats', smtpPassword, '$argon2', '$2b$']) {
        assert.ok(!exported.includes(secret), `the export does not contain ${secret}`);
      }
      assert.doesNotMatch(exported, /^ *(- )?(password:|password_hash:|client_secret: (?!LEFT-OUT))/m, 'no password, hash or client secret field');
      assert.match(exported, /^# Gatehouse configuration exported from the (SQLite|PostgreSQL) database /);
      assert.match(exported, /\n# Every secret is left out:\n# - applications have no client_secret/);
      assert.match(exported, /\n# - users have no password or password_hash/);
      assert.match(exported, /\n {2}# client_secret was left out: put the client secret the upstream gave for client_id "gh" in place of the placeholder\.\n {2}- id: manual/);
      assert.match(exported, /\n {2}# secret was left out and stands in as a random placeholder: put the secret shared with the partner in its place, then set enabled: true/);
      assert.match(exported, /\n# - email: has no password/);
      assert.match(exported, /\n# password was left out: add password: with the SMTP password of user "gatehouse@example\.com" before starting with this file, or the mail server is used without one\.\nemail:\n/);
      const document = parseYaml(exported) as { connections: Array<Record<string, unknown>>; security: unknown; mfa: unknown; email: unknown };
      assert.deepEqual(document.mfa, mfaPolicy);
      const { password: _left, ...smtpWithoutPassword } = smtpSettings;
      assert.deepEqual(document.email, smtpWithoutPassword);
      const portal = document.connections.find((connection) => connection.id === 'portal')!;
      assert.equal(portal.enabled, false, 'a partner whose HMAC secret is a placeholder is exported disabled');
      assert.deepEqual(document.security, declarations.security, 'the security section comes from the file in use');
    });

    test('the export validates', async () => {
      const file = path.join(dir, 'export.yaml');
      await writeFile(file, exported);
      const { code, stdout, stderr } = await gatehouseIn({ GATEHOUSE_DATA_DIR: path.join(dir, 'none'), GATEHOUSE_LOG_LEVEL: 'silent' }, ['config', 'validate', file]);
      assert.deepEqual([code, stderr], [0, '']);
      assert.equal(stdout, `valid: ${file} declares 3 applications, 4 users, 1 scope and 4 connections\n`);
    });

    test('a fresh start on the export has the same applications, users, scopes, connections, MFA policy and SMTP settings (but the password), and an application works with its new secret', async () => {
      copy = await startServer({ dialect, configText: exported });
      assert.deepEqual(await contents(copy.services), await contents(source.services));
      assert.equal(copy.startup.admin, undefined, 'the exported administrator came over');
      const generated = new Map(copy.startup.applied.generatedSecrets.map(({ clientId, secret }) => [clientId, secret]));
      assert.deepEqual([...generated.keys()].sort(), ['cli-app', 'web'], 'each secret-using application got a new secret');
      assert.ok(![...generated.values()].includes(secretOf('web')) && ![...generated.values()].includes(cliSecret));

      // Passwords were left out: the operator gives one, and the user signs in to the exported application.
      assert.equal((await gatehouse(copy, ['users', 'set-password', 'alice'], 'alice finds a new password')).code, 0);
      const config = await oidc.discovery(new URL(copy.issuer), 'web', generated.get('web')!, undefined, insecure);
      const tokens = await signIn(copy, config, 'openid profile badge', { credentials: { username: 'alice', password: 'alice finds a new password' } });
      const claims = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      assert.deepEqual([claims.name, claims.badge_colour], ['Alice Liddell', 'blue']);
    });
  });
}
