/*
 * No secret ever reaches the audit log. Everything a secret travels through is done once
 * (passwords right and wrong, on the login page and the password grant; codes, access, refresh
 * and id tokens; client secrets right and wrong, generated and rotated; a partner's token and
 * secret; an upstream's client secret; the first administrator's password; sessions' cookies;
 * passwords set by the CLI and changed by the configuration file), then every column of every
 * row of the audit table is searched, as text, for each of them.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { defaults } from '../../../src/config/defaults.js';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { expectPage, readForm, type Browser } from '../../helpers/browser.js';
import { gatehouse } from '../../helpers/cli.js';
import { obtainCallback, offline, redeem } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure, newBrowser, oauthError } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { startUpstreamIdp, type UpstreamIdp } from '../../helpers/upstream-idp.js';
import { ann, application, oidcConnection, upstreamSecret } from '../connections/fixtures.js';
import { Person as UpstreamPerson, signInThrough } from '../connections/steps.js';
import { jwtConnection, portalSecret } from '../jwt-sso/fixtures.js';
import { departThroughButton, partnerToken, Person as PartnerPerson, signInWith } from '../jwt-sso/steps.js';
import { auditEvents, wholeTableAsText } from './steps.js';

const adminPassword = 'the-first-administrators-password-0123';
const mistypedPassword = 'a mistyped password that must stay private';
const cliPassword = 'alice chose this one on the command line';
const filePassword = 'alice got this one from the configuration file';
const newPortalSecret = 'the-partners-next-shared-secret-0123456789abcdef';
const impostorSecret = 'not-the-secret-of-m2m-at-all-0123456789abcdef';

function declarations(changed = false) {
  return {
    applications: [
      application,
      { client_id: 'web', client_name: 'Web Notes', client_secret: secretOf('web'), redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'] },
      { client_id: 'm2m', client_secret: secretOf('m2m'), grant_types: ['client_credentials'], response_types: [], scope: 'reports:read' },
      { client_id: 'legacy', client_secret: secretOf('legacy'), grant_types: ['password'], response_types: [] },
    ],
    users: [{ username: 'alice', email: 'alice@example.com', password: changed ? filePassword : alice.password }],
    scopes: [{ name: 'reports:read', description: 'Read reports', claims: ['department'] }],
    connections: [jwtConnection('portal', changed ? { secret: newPortalSecret } : {})],
  };
}

/** Every cookie value a browser holds for Gatehouse: session, interaction, binding. */
async function cookieValues(browser: Browser, server: TestServer): Promise<string[]> {
  return (await browser.jar.getCookies(server.url)).map((cookie) => cookie.value);
}

for (const dialect of dialects) {
  describe(`no secret, password, token, code or cookie in the audit log (${dialect})`, () => {
    let upstream: UpstreamIdp;
    let server: TestServer;
    const secrets = new Map<string, string>();
    const keep = (what: string, value: string | undefined) => {
      if (value) secrets.set(`${what} #${secrets.size}`, value);
    };

    before(async () => {
      upstream = await startUpstreamIdp({ users: [ann] });
      const okta = oidcConnection('okta', upstream.discoveryUrl);
      server = await startServer({
        dialect,
        declarations: { ...declarations(), connections: [...declarations().connections, okta] },
        env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true', GATEHOUSE_ADMIN_PASSWORD: adminPassword },
      });
      upstream.registerGatehouse(server.issuer, 'okta', { clientId: okta.client_id, clientSecret: upstreamSecret });
      const issuer = new URL(server.issuer);
      const [notes, web, m2m] = await Promise.all([
        oidc.discovery(issuer, 'notes', undefined, oidc.None(), insecure),
        oidc.discovery(issuer, 'web', secretOf('web'), undefined, insecure),
        oidc.discovery(issuer, 'm2m', secretOf('m2m'), undefined, insecure),
      ]);
      for (const clientId of ['web', 'm2m', 'legacy']) keep(`${clientId}'s secret`, secretOf(clientId));
      keep('upstream client secret', upstreamSecret);
      keep('partner secret', portalSecret);
      keep('partner secret, next', newPortalSecret);
      for (const password of [alice.password, adminPassword, mistypedPassword, cliPassword, filePassword]) keep('password', password);
      keep('impostor client secret', impostorSecret);

      // A wrong and a right password on the login page, a code, and the tokens it is redeemed for; a refresh, introspection, revocation.
      const browser = newBrowser(server);
      await obtainCallback(newBrowser(server), web, 'openid', { credentials: { username: 'alice', password: mistypedPassword } }).catch(() => undefined);
      const { pending, callback } = await obtainCallback(browser, web, offline.scope, { params: offline.params });
      keep('authorization code', callback.searchParams.get('code') ?? undefined);
      const tokens = await redeem(web, pending, callback);
      keep('access token', tokens.access_token);
      keep('refresh token', tokens.refresh_token);
      keep('id token', tokens.id_token);
      const refreshed = await oidc.refreshTokenGrant(web, tokens.refresh_token!);
      keep('access token', refreshed.access_token);
      keep('refresh token', refreshed.refresh_token);
      await oidc.tokenIntrospection(web, refreshed.access_token);
      await oidc.tokenRevocation(web, refreshed.refresh_token!);
      for (const value of await cookieValues(browser, server)) keep('cookie', value);

      // Application-only tokens, a wrong client secret, and the password grant with a wrong and a right password.
      keep('client credentials token', (await oidc.clientCredentialsGrant(m2m, { scope: 'reports:read' })).access_token);
      const impostor = new oidc.Configuration(m2m.serverMetadata(), 'm2m', impostorSecret);
      oidc.allowInsecureRequests(impostor);
      assert.equal(await oauthError(oidc.clientCredentialsGrant(impostor, { scope: 'reports:read' })), 'invalid_client');
      const grant = (password: string) => postToken(server, { grant_type: 'password', username: 'alice', password, scope: 'openid' }, basicAuth('legacy', secretOf('legacy')));
      assert.equal((await grant(mistypedPassword)).status, 400);
      const granted = await grant(alice.password);
      keep('password grant token', String(granted.body.access_token));
      keep('password grant id token', String(granted.body.id_token));

      // A partner's token accepted and one refused; an upstream sign-in; each browser's cookies.
      const world = { server, upstream, app: notes, close: async () => {} };
      const token = await partnerToken({ sub: 'p-1', email: 'pat@partner.example' });
      keep('partner token', token);
      const partnerPerson = new PartnerPerson(world);
      const partnerSignIn = await signInWith(world, 'portal', token, partnerPerson);
      keep('access token', partnerSignIn.tokens.access_token);
      const refusedToken = await partnerToken({ email: 'late@partner.example', exp: Math.floor(Date.now() / 1000) - 120 });
      keep('refused partner token', refusedToken);
      const latePerson = new PartnerPerson(world);
      const { signInUrl } = await departThroughButton(world, latePerson, 'portal');
      expectPage(await latePerson.returnWith(signInUrl, refusedToken));
      const upstreamPerson = new UpstreamPerson(world);
      keep('access token', (await signInThrough(world, upstreamPerson, 'okta', 'ann')).access_token);
      for (const person of [partnerPerson.browser, latePerson.browser, upstreamPerson.atGatehouse]) {
        for (const value of await cookieValues(person, server)) keep('cookie', value);
      }

      // A logout.
      const endSession = oidc.buildEndSessionUrl(web, { id_token_hint: tokens.id_token! });
      const confirmation = expectPage(await browser.get(endSession.toString()));
      const form = readForm(confirmation, 'form#op\\.logoutForm');
      await browser.post(new URL(form.action, confirmation.url).toString(), { ...form.fields, logout: 'yes' });

      // The CLI: a password set, a secret rotated, an application and a user created with generated secrets.
      assert.equal((await gatehouse(server, ['users', 'set-password', 'alice'], cliPassword)).code, 0);
      const created = await gatehouse(server, ['apps', 'create', 'notes-two', '--redirect-uri', redirectUri]);
      assert.equal(created.code, 0, created.stderr);
      keep('generated client secret', /client_secret: (\S+)/.exec(created.stdout)?.[1]);
      const rotated = await gatehouse(server, ['apps', 'rotate-secret', 'notes-two']);
      assert.equal(rotated.code, 0, rotated.stderr);
      keep('rotated client secret', /client_secret: (\S+)/.exec(rotated.stdout)?.[1]);
      const bob = await gatehouse(server, ['users', 'create', 'bob', '--generate-password']);
      assert.equal(bob.code, 0, bob.stderr);
      keep('generated password', /password: (\S+)/.exec(bob.stdout)?.[1]);

      // The configuration file changes a password and a partner's secret.
      await server.restart({ declarations: { ...declarations(true), connections: [...declarations(true).connections, okta] } });

      // What is stored sealed or hashed, and the master secret, must not be there either.
      const { db } = server.services.deps;
      for (const row of await db.selectFrom('users').select('password_hash').execute()) keep('password hash', row.password_hash ?? undefined);
      for (const row of await db.selectFrom('applications').select('client_secret_sealed').execute()) keep('sealed client secret', row.client_secret_sealed ?? undefined);
      for (const row of await db.selectFrom('connections').select('secret_sealed').execute()) keep('sealed connection secret', row.secret_sealed ?? undefined);
      for (const row of await db.selectFrom('keys').select('private_sealed').execute()) keep('sealed private key', row.private_sealed);
      keep('master secret', server.config.secret ?? (await readFile(path.join(server.config.dataDir, defaults.secretFileName), 'utf8')).trim());
    });
    after(async () => {
      await server?.close();
      await upstream?.close();
    });

    test('the things done were recorded (the search has something to look through)', async () => {
      const types = new Set((await auditEvents(server)).map((event) => event.type));
      for (const type of ['sign_in.succeeded', 'sign_in.failed', 'token.issued', 'consent.given', 'consent.revoked', 'session.ended', 'user.password_set', 'application.secret_rotated', 'application.created', 'user.created', 'user.updated', 'connection.updated']) {
        assert.ok(types.has(type), `a ${type} event`);
      }
      assert.ok(secrets.size > 40, `${secrets.size} secrets to look for`);
    });

    test('not one of them appears in any column of any row, verbatim or URL-encoded', async () => {
      await server.audit.flush();
      const table = await wholeTableAsText(server.services.deps.db);
      assert.match(table, /"grant_type":"authorization_code"/, 'the details are searched as stored');
      const found = [...secrets].filter(([, value]) => value.length >= 8 && (table.includes(value) || table.includes(encodeURIComponent(value)))).map(([what]) => what);
      assert.deepEqual(found, []);
    });
  });
}
