import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { secretOf } from '../../helpers/applications.js';
import { expectPage, isPage, type Browser } from '../../helpers/browser.js';
import { authorizationUrl, signIn } from '../../helpers/code-flow.js';
import { protocolDialects } from '../../helpers/databases.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { callbackFor } from '../../helpers/sign-in.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { scopes, users, webApp } from './fixtures.js';
import { verifyIdToken } from './steps.js';

const declarations = {
  users,
  scopes,
  applications: [
    webApp('plain'),
    webApp('openid-only', { scope: 'openid' }),
    webApp('limited', { scope: 'openid profile' }),
    webApp('narrowed', { scope: 'openid email' }),
  ],
};

/** What the review reproduced: every claim of scopes the application may not request, asked for by name. */
const outsideOpenid = { userinfo: { email: null, name: null, employee_id: null, department: null } };
const leaked = ['email', 'name', 'employee_id', 'department'];

for (const dialect of protocolDialects) {
  describe(`the claims request parameter (${dialect})`, () => {
    let server: TestServer;
    const rp: Record<string, oidc.Configuration> = {};

    before(async () => {
      server = await startServer({ declarations, dialect });
      for (const clientId of ['plain', 'openid-only', 'limited', 'narrowed']) {
        rp[clientId] = await oidc.discovery(new URL(server.issuer), clientId, secretOf(clientId), undefined, insecure);
      }
    });
    after(() => server?.close());

    function claimsUrl(clientId: string, scope: string, claims: unknown): URL {
      return authorizationUrl(server, { client_id: clientId, response_type: 'code', scope, state: 's', claims: JSON.stringify(claims) });
    }

    /** What a code flow in a browser of its own releases, through userinfo and in the id_token. */
    async function releasedClaims(clientId: string, scope: string, claims?: unknown) {
      const tokens = await signIn(server, rp[clientId]!, scope, { params: claims ? { claims: JSON.stringify(claims) } : {} });
      const userinfo = await oidc.fetchUserInfo(rp[clientId]!, tokens.access_token, tokens.claims()!.sub);
      const idToken = await verifyIdToken(server, tokens.id_token!, { audience: clientId });
      return { userinfo, idToken };
    }

    /** Signs in and returns the consent page's list of what the application asks for. */
    async function consentList(browser: Browser, url: URL): Promise<string> {
      const login = expectPage(await browser.get(url.toString()));
      const consent = expectPage(await browser.submit(login, 'form[action$="/login"]', alice));
      assert.ok(consent.document.querySelector('form[action$="/consent"]'), 'the consent page is shown');
      return consent.document.querySelector('.scopes')!.text.replace(/\s+/g, ' ');
    }

    test('claims no scope of the application releases are refused with invalid_request, before any sign-in', async () => {
      const browser = newBrowser(server);
      const answer = await browser.get(claimsUrl('openid-only', 'openid', outsideOpenid).toString());
      assert.ok(!isPage(answer), 'no sign-in or consent page is shown');
      const callback = new URL(answer.redirectedTo);
      assert.equal(callback.searchParams.get('error'), 'invalid_request');
      assert.equal(callback.searchParams.get('state'), 's');
      assert.match(callback.searchParams.get('error_description') ?? '', /"email", "name", "employee_id", "department"/);
    });

    test('after the refusal, the application\'s tokens carry none of those claims', async () => {
      const browser = newBrowser(server);
      assert.ok(!isPage(await browser.get(claimsUrl('openid-only', 'openid', outsideOpenid).toString())));
      const { userinfo, idToken } = await releasedClaims('openid-only', 'openid', { id_token: { auth_time: { essential: true } } });
      for (const claim of leaked) {
        assert.equal(userinfo[claim], undefined, `userinfo ${claim}`);
        assert.equal(idToken[claim], undefined, `id_token ${claim}`);
      }
      assert.equal(typeof idToken.auth_time, 'number', 'a claim about the sign-in itself may be asked for');
    });

    test('one claim outside the application\'s scope refuses the whole request, for the id_token too', async () => {
      const callback = await callbackFor(newBrowser(server), claimsUrl('limited', 'openid', { userinfo: { name: null }, id_token: { email: null } }));
      assert.equal(callback.searchParams.get('error'), 'invalid_request');
      assert.match(callback.searchParams.get('error_description') ?? '', /claims\.id_token: "email"/);
    });

    test('without a scope limit, a claim no scope of the server releases is refused', async () => {
      const callback = await callbackFor(newBrowser(server), claimsUrl('plain', 'openid', { userinfo: { badge_colour: null } }));
      assert.equal(callback.searchParams.get('error'), 'invalid_request');
      assert.match(callback.searchParams.get('error_description') ?? '', /"badge_colour"/);
    });

    test('the consent page names each claim asked for by name, and only what it named is released', async () => {
      const browser = newBrowser(server);
      const claims = { userinfo: { email: null, name: null }, id_token: { department: null } };
      const listed = await consentList(browser, claimsUrl('plain', 'openid', claims));
      assert.match(listed, /Confirm who you are/);
      assert.match(listed, /Share: email, name, department/);
      const { userinfo, idToken } = await releasedClaims('plain', 'openid', claims);
      assert.equal(userinfo.email, 'alice@example.com');
      assert.equal(userinfo.name, 'Alice Liddell');
      assert.equal(userinfo.employee_id, undefined, 'a claim not named stays private');
      assert.equal(idToken.department, 'Research');
      assert.equal(idToken.email, undefined, 'asked for userinfo only');
    });

    test('an application limited by scope may name claims of its scopes; consent shows them', async () => {
      const listed = await consentList(newBrowser(server), claimsUrl('limited', 'openid', { userinfo: { given_name: null } }));
      assert.match(listed, /Share: given_name/);
      const { userinfo } = await releasedClaims('limited', 'openid', { userinfo: { given_name: null } });
      assert.equal(userinfo.given_name, 'Alice');
      assert.equal(userinfo.name, undefined);
    });

    test('tokens issued before an application\'s scope was narrowed release only what it may still request', async () => {
      const tokens = await signIn(server, rp.narrowed!, 'openid email');
      const sub = tokens.claims()!.sub;
      assert.equal((await oidc.fetchUserInfo(rp.narrowed!, tokens.access_token, sub)).email, 'alice@example.com');
      await server.restart({ declarations: { ...declarations, applications: [webApp('narrowed', { scope: 'openid' })] } });
      const userinfo = await oidc.fetchUserInfo(rp.narrowed!, tokens.access_token, sub);
      assert.equal(userinfo.sub, sub);
      assert.equal(userinfo.email, undefined);
    });
  });
}
