import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { isPage, type Browser } from '../../helpers/browser.js';
import { offline, redeem, signIn, startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { newBrowser } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { coreDeclarations } from './fixtures.js';
import { discoverRelyingParties, type RelyingParties } from './steps.js';

async function publishedKids(server: TestServer): Promise<string[]> {
  const response = await fetch(`${server.issuer}/jwks`);
  const { keys } = (await response.json()) as { keys: Array<{ kid: string }> };
  return keys.map((key) => key.kid).sort();
}

for (const dialect of dialects) {
  describe(`restart keeps keys, sessions, users, applications and tokens (${dialect})`, () => {
    let server: TestServer;
    let rp: RelyingParties;
    let kidsBefore: string[];
    let browser: Browser;
    let idTokenBefore: string;
    let refreshTokenBefore: string;
    let sub: string;

    before(async () => {
      server = await startServer({ declarations: coreDeclarations, dialect });
      rp = await discoverRelyingParties(server);
      kidsBefore = await publishedKids(server);
      browser = newBrowser(server);
      const signedIn = await signIn(server, rp.spa, 'openid profile', { browser });
      idTokenBefore = signedIn.id_token!;
      sub = signedIn.claims()!.sub;
      refreshTokenBefore = (await signIn(server, rp.web, offline.scope, { params: offline.params })).refresh_token!;
      // Empty the configuration file: whatever survives the restart must come from storage.
      await writeFile(server.config.configFile!, '{}\n');
      await server.restart();
    });
    after(() => server?.close());

    test('the same signing keys are published, and an id_token from before still verifies', async () => {
      assert.ok(kidsBefore.length >= 2);
      assert.deepEqual(await publishedKids(server), kidsBefore);
      const jwks = createLocalJWKSet(await (await fetch(`${server.issuer}/jwks`)).json() as JSONWebKeySet);
      const { payload } = await jwtVerify(idTokenBefore, jwks, { issuer: server.issuer, audience: 'spa' });
      assert.equal(payload.sub, sub);
    });

    test('a browser signed in before the restart is still signed in (prompt=none succeeds)', async () => {
      const pending = await startAuthorization(rp.spa, 'openid profile', { prompt: 'none' });
      const result = await browser.get(pending.url.toString());
      assert.ok(!isPage(result), 'no login page is shown');
      const callback = new URL(result.redirectedTo);
      assert.equal(callback.searchParams.get('error'), null, callback.searchParams.get('error_description') ?? '');
      const tokens = await redeem(rp.spa, pending, callback);
      assert.equal(tokens.claims()?.sub, sub);
    });

    test('users and applications from storage still work: sign in as Alice with the web application', async () => {
      const tokens = await signIn(server, rp.web, 'openid profile');
      assert.equal(tokens.claims()?.sub, sub, 'the same user, with the same subject');
      const userinfo = await oidc.fetchUserInfo(rp.web, tokens.access_token, sub);
      assert.equal(userinfo.name, 'Alice Liddell');
    });

    test('a refresh token issued before the restart still works', async () => {
      const refreshed = await oidc.refreshTokenGrant(rp.web, refreshTokenBefore);
      assert.ok(refreshed.access_token);
      assert.equal(refreshed.claims()?.sub, sub);
    });
  });
}
