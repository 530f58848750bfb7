import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { expectPage } from '../../helpers/browser.js';
import { authorizationUrl } from '../../helpers/code-flow.js';
import { protocolDialects } from '../../helpers/databases.js';
import { newBrowser } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { users, webApp } from './fixtures.js';

/**
 * The sign-in pages tell "this request is gone" (the user's to fix: start again) apart from
 * "storage failed" (ours: a 5xx an operator is alerted to), though both surface while loading it.
 */
for (const dialect of protocolDialects) {
  describe(`sign-in page errors (${dialect})`, () => {
    let server: TestServer;

    before(async () => {
      server = await startServer({ declarations: { users, applications: [webApp('plain')] }, dialect });
    });
    after(() => server?.close());

    async function pendingSignIn() {
      const browser = newBrowser(server);
      const login = expectPage(await browser.get(authorizationUrl(server, { client_id: 'plain', response_type: 'code', scope: 'openid' }).toString()));
      assert.ok(login.document.querySelector('form[action$="/login"]'), 'the login page is shown');
      return { browser, url: login.url };
    }

    test('a sign-in request this browser does not hold is reported as expired', async () => {
      const { url } = await pendingSignIn();
      const page = expectPage(await newBrowser(server).get(url));
      assert.equal(page.status, 400);
      assert.match(page.body, /expired/);
    });

    test('a storage failure while loading the request is a server error, not an expired request', async () => {
      const { browser, url } = await pendingSignIn();
      const storage = server.openStorage();
      try {
        await sql`alter table oidc_models rename to oidc_models_unavailable`.execute(storage.db);
        try {
          const page = expectPage(await browser.get(url));
          assert.equal(page.status, 500);
          assert.doesNotMatch(page.body, /expired/);
        } finally {
          await sql`alter table oidc_models_unavailable rename to oidc_models`.execute(storage.db);
        }
      } finally {
        await storage.close();
      }
      const again = expectPage(await browser.get(url));
      assert.equal(again.status, 200, 'the same request loads once storage is back');
      assert.ok(again.document.querySelector('form[action$="/login"]'));
    });
  });
}
