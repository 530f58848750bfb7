/*
 * `gatehouse apps create|list|rotate-secret` beside a running server, on each dialect: an
 * application created on the command line completes a code flow at once, a rotated secret is
 * refused and its successor accepted at the token endpoint (within the running server's check), and what the configuration file's
 * rules or the engine's refuse is refused here too, naming the option.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { gatehouse } from '../../helpers/cli.js';
import { signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { switchBoundMs, within } from '../keys/steps.js';

const declarations = {
  applications: [{ client_id: 'declared', client_name: 'Declared App', client_secret: secretOf('declared'), redirect_uris: [redirectUri] }],
  users: [{ username: 'alice', email: 'alice@example.com', password: alice.password, name: 'Alice Liddell' }],
  scopes: [{ name: 'badge', description: 'Your badge', claims: ['badge_colour'] }],
};

/** The secret a command printed on its `client_secret:` line. */
function printedSecret(stdout: string): string {
  const match = /^client_secret: (\S+)$/m.exec(stdout);
  assert.ok(match, `a client_secret line in:\n${stdout}`);
  return match[1]!;
}

for (const dialect of dialects) {
  describe(`gatehouse apps (${dialect})`, () => {
    let server: TestServer;
    const run = (argv: string[]) => gatehouse(server, argv);

    before(async () => {
      server = await startServer({ dialect, declarations });
    });
    after(() => server?.close());

    test('apps create prints a generated secret once, and the application completes a code flow against the running server at once', async () => {
      const created = await run([
        'apps', 'create', 'notes', '--name', 'Notes', '--redirect-uri', redirectUri,
        '--grant-type', 'authorization_code', '--grant-type', 'refresh_token', '--scope', 'openid profile email offline_access badge',
      ]);
      assert.deepEqual([created.code, created.stderr], [0, '']);
      assert.match(created.stdout, /^created application "notes", authenticating with client_secret_basic; grant types authorization_code, refresh_token\n/);
      assert.match(created.stdout, /shown this once/);
      const secret = printedSecret(created.stdout);
      assert.ok(secret.length >= 32);

      const config = await oidc.discovery(new URL(server.issuer), 'notes', secret, undefined, insecure);
      const tokens = await signIn(server, config, 'openid profile');
      assert.ok(tokens.access_token);
      assert.equal(tokens.claims()?.aud, 'notes');
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      assert.equal(userinfo.name, 'Alice Liddell');
    });

    test('a public client gets no secret and signs in with PKCE', async () => {
      const created = await run(['apps', 'create', 'spa', '--public', '--redirect-uri', redirectUri, '--post-logout-redirect-uri', 'https://app.example.test/bye']);
      assert.deepEqual([created.code, created.stderr], [0, '']);
      assert.equal(created.stdout, 'created application "spa", a public client (no secret; PKCE required); grant types authorization_code\n');
      const config = await oidc.discovery(new URL(server.issuer), 'spa', undefined, oidc.None(), insecure);
      assert.ok((await signIn(server, config, 'openid')).id_token);
    });

    test('apps list shows client_id, name, grant types, redirect URIs and who declared it, never a secret', async () => {
      const created = await run(['apps', 'create', 'm2m-list', '--grant-type', 'client_credentials']);
      const secret = printedSecret(created.stdout);
      const { code, stdout, stderr } = await run(['apps', 'list']);
      assert.deepEqual([code, stderr], [0, '']);
      const lines = stdout.trim().split('\n');
      assert.deepEqual(lines.find((line) => line.startsWith('declared\t'))?.split('\t'), ['declared', 'Declared App', 'authorization_code', redirectUri, 'file']);
      assert.deepEqual(lines.find((line) => line.startsWith('m2m-list\t'))?.split('\t'), ['m2m-list', '-', 'client_credentials', '-', 'database']);
      assert.deepEqual(lines.find((line) => line.startsWith('notes\t'))?.split('\t'), ['notes', 'Notes', 'authorization_code,refresh_token', redirectUri, 'database']);
      assert.ok(!stdout.includes(secret) && !stdout.includes(secretOf('declared')), 'no secret is listed');
    });

    test('apps rotate-secret: the old secret is refused at the token endpoint, the new one accepted', async () => {
      const created = await run(['apps', 'create', 'reports', '--grant-type', 'client_credentials', '--scope', 'badge']);
      const oldSecret = printedSecret(created.stdout);
      const grant = (secret: string) => postToken(server, { grant_type: 'client_credentials', scope: 'badge' }, basicAuth('reports', secret));
      assert.equal((await grant(oldSecret)).status, 200);

      const rotated = await run(['apps', 'rotate-secret', 'reports']);
      assert.deepEqual([rotated.code, rotated.stderr], [0, '']);
      assert.match(rotated.stdout, /^new client secret for "reports"; the old one is refused from now on \(running servers follow within a second\)\n/);
      const newSecret = printedSecret(rotated.stdout);
      assert.notEqual(newSecret, oldSecret);

      // The server keeps applications in memory and hears of another process's change at its next check.
      await within(switchBoundMs, 'the old secret refused by the running server', async () => (await grant(oldSecret)).status === 401);
      const refused = await grant(oldSecret);
      assert.equal(refused.body.error, 'invalid_client');
      const accepted = await grant(newSecret);
      assert.equal(accepted.status, 200);
      assert.ok(accepted.body.access_token);
    });

    test('apps rotate-secret refuses an application the file declares, a public client and an unknown one', async () => {
      const declared = await run(['apps', 'rotate-secret', 'declared']);
      assert.equal(declared.code, 1);
      assert.match(declared.stderr, /application "declared" is declared in the configuration file \(.*\); change its client_secret there/);
      assert.equal((await postToken(server, { grant_type: 'authorization_code', code: 'x', redirect_uri: redirectUri }, basicAuth('declared', secretOf('declared')))).body.error,
        'invalid_grant', 'its secret still authenticates it');
      const publicClient = await run(['apps', 'rotate-secret', 'spa']);
      assert.equal(publicClient.code, 1);
      assert.match(publicClient.stderr, /application "spa" authenticates without a client secret/);
      const unknown = await run(['apps', 'rotate-secret', 'nothing']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no application "nothing"/);
    });

    test('apps create refuses what the configuration file\'s rules refuse, naming the option and field, and creates nothing', async () => {
      const cases: Array<[string[], RegExp]> = [
        [['apps', 'create', 'bad id!'], /client_id: use 1 to 128 letters, digits or \. _ ~ -/],
        [['apps', 'create', 'bad-url', '--redirect-uri', 'not-a-url'], /--redirect-uri \(redirect_uris\[0\]\): Invalid URL/],
        [['apps', 'create', 'bad-grant', '--grant-type', 'magic'], /--grant-type \(grant_types\[0\]\): Invalid option/],
        [['apps', 'create', 'bad-m2m', '--public', '--grant-type', 'client_credentials'], /--public \(token_endpoint_auth_method\): the "client_credentials" grant type needs a client authentication method other than "none"/],
        [['apps', 'create', 'bad-mode', '--grant-type', 'implicit', '--redirect-uri', redirectUri], /--response-type \(response_types\): the "implicit" grant type needs a response type with "id_token" or "token"/],
        [['apps', 'create', 'bad-pkjwt', '--auth-method', 'private_key_jwt'], /"private_key_jwt" needs the application's public keys/],
      ];
      for (const [argv, message] of cases) {
        const { code, stdout, stderr } = await run(argv);
        assert.equal(code, 1, argv.join(' '));
        assert.equal(stdout, '');
        assert.match(stderr, new RegExp(`application "${argv[2]!.replace(/[!]/g, '\\$&')}" is invalid; nothing was changed`), argv.join(' '));
        assert.match(stderr, message, argv.join(' '));
      }
      const listed = (await run(['apps', 'list'])).stdout;
      assert.doesNotMatch(listed, /^bad/m);
    });

    test('apps create refuses what the engine refuses, as a start refuses it in the file: a web app\'s custom scheme, a scope nobody defined', async () => {
      const scheme = await run(['apps', 'create', 'desktop', '--redirect-uri', 'myapp://callback']);
      assert.equal(scheme.code, 1);
      assert.match(scheme.stderr, /--redirect-uri \(redirect_uris\): redirect_uris must only contain web uris/);
      const native = await run(['apps', 'create', 'desktop', '--redirect-uri', 'myapp://callback', '--application-type', 'native', '--public']);
      assert.equal(native.code, 0, native.stderr);
      const scope = await run(['apps', 'create', 'unknown-scope', '--redirect-uri', redirectUri, '--scope', 'openid payroll']);
      assert.equal(scope.code, 1);
      assert.match(scope.stderr, /--scope \(scope\): scope must only contain Authorization Server supported scope values/);
    });

    test('apps create refuses a client_id taken, and one the configuration file declares', async () => {
      const taken = await run(['apps', 'create', 'notes']);
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, /an application "notes" exists already/);
      const declared = await run(['apps', 'create', 'declared']);
      assert.equal(declared.code, 1);
      assert.match(declared.stderr, /application "declared" is declared in .*: create it there, or choose another client_id/);
    });
  });
}
