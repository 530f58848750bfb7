/*
 * One authenticator code, typed into two sign-ins at once on two instances sharing PostgreSQL:
 * exactly one of them gets through. The step a code was accepted for is stored, and only a later
 * one passes, by one conditional update both instances race on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { codeAt } from '../../../src/mfa/totp.js';
import { redirectUri } from '../../helpers/applications.js';
import { Browser, expectPage, isPage } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { skipWithoutPostgres } from '../../helpers/databases.js';
import { insecure } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

const cli = { kind: 'cli', command: 'test' } as const;

describe('one code, two sign-ins on two instances at once (postgres)', { skip: skipWithoutPostgres }, () => {
  let server: TestServer;
  let sibling: TestServer;
  let notes: oidc.Configuration;
  let secret: string;

  before(async () => {
    server = await startServer({
      dialect: 'postgres',
      declarations: { applications: [{ client_id: 'notes', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'] }], users: [alice] },
    });
    sibling = await server.startSibling();
    notes = await oidc.discovery(new URL(server.issuer), 'notes', undefined, oidc.None(), insecure);
    const userId = (await server.services.users.findByIdentifier(alice.username))!.id;
    ({ secret } = await server.services.mfa.totp.begin(userId, alice.username));
    // Set up at the step before, so that the code of this step is unused.
    assert.ok(await server.services.mfa.totp.confirm(cli, userId, await codeAt(secret, Date.now() / 1000 - 30)));
  });
  after(async () => {
    await sibling?.close();
    await server?.close();
  });

  /** A browser at `instance`, signed in with the password, on the page that asks for the code. */
  async function onCodePage(instance: TestServer) {
    const browser = new Browser([new URL(server.issuer).origin, instance.url]);
    const { url } = await startAuthorization(notes, 'openid');
    const login = expectPage(await browser.get(`${instance.url}${url.pathname}${url.search}`));
    const asked = expectPage(await browser.submit(login, 'form[action$="/password/login"]', { username: alice.username, password: alice.password }));
    assert.ok(asked.document.querySelector('form[action$="/mfa/totp"]'));
    return { browser, asked };
  }

  test('exactly one of them is let through', async () => {
    const [first, second] = await Promise.all([onCodePage(server), onCodePage(sibling)]);
    const code = await codeAt(secret, Date.now() / 1000);
    const answers = await Promise.all([first, second].map(({ browser, asked }) => browser.submit(asked, 'form[action$="/mfa/totp"]', { code })));
    const through = answers.filter((answer) => !isPage(answer) || answer.document.querySelector('form[action$="/consent"]'));
    const refused = answers.filter((answer) => isPage(answer) && answer.status === 401);
    assert.equal(through.length, 1, 'one sign-in goes on');
    assert.equal(refused.length, 1, 'the other is told the code is not right');
  });
});
