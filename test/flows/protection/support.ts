import { createAttemptCounterQueries, type AttemptCounterRow } from '../../../src/db/queries/attempt-counters.js';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { expectPage, isPage, type Browser, type Page } from '../../helpers/browser.js';
import { authorizationUrl } from '../../helpers/code-flow.js';
import { newBrowser } from '../../helpers/oauth.js';
import { alice, bob, carol, dave, mallory } from '../../helpers/people.js';
import type { TestServer } from '../../helpers/start-server.js';
import { basicAuth, postForm, postToken } from '../../helpers/token-endpoint.js';

/** The one application of the protection tests: it signs users in through the form and the password grant. */
export const webApplication = {
  client_id: 'web',
  client_name: 'Web Notes',
  client_secret: secretOf('web'),
  redirect_uris: [redirectUri],
  grant_types: ['authorization_code', 'password', 'client_credentials'],
};

/** Each test works on a user of its own, so that account counters do not mix. */
const users = [
  { ...alice, username: 'Alice', email: 'alice@example.com' },
  { ...bob, email: 'bob@example.com' },
  carol,
  dave,
  { ...mallory, disabled: true },
];

/** A configuration file with the application and the users above, plus the given security section. */
export function protectionDeclarations(security: Record<string, unknown> = {}) {
  return { applications: [webApplication], users: [...users], security };
}

export interface AttemptResult {
  status: number;
  /** The error text on the login page, when the page came back. */
  error: string | undefined;
  retryAfter: string | null;
  signedIn: boolean;
  page: Page | undefined;
}

/**
 * A browser at the login page of one authorization request, posting sign-in attempts the way
 * the form does. After a success the next attempt starts afresh, in a new browser with no session.
 */
export class LoginForm {
  private browser: Browser;
  private page: Page | undefined;

  constructor(private readonly server: TestServer) {
    this.browser = newBrowser(server);
  }

  /** Opens the login page now, so that a later attempt is only the form post (for bursts of concurrent attempts). */
  async ready(): Promise<this> {
    this.page ??= await this.open();
    return this;
  }

  private async open(): Promise<Page> {
    const url = authorizationUrl(this.server, { client_id: 'web', response_type: 'code', scope: 'openid', state: 'protection-test' });
    return expectPage(await this.browser.get(url.toString()));
  }

  async attempt(username: string, password: string, headers: Record<string, string> = {}): Promise<AttemptResult> {
    this.page ??= await this.open();
    const result = await this.browser.submit(this.page, 'form[action$="/login"]', { username, password }, headers);
    const onLoginPage = isPage(result) && result.document.querySelector('form[action$="/login"]') !== null;
    if (!onLoginPage) {
      this.page = undefined;
      this.browser = newBrowser(this.server);
      return { status: result.status, error: undefined, retryAfter: null, signedIn: true, page: isPage(result) ? result : undefined };
    }
    const page = result as Page;
    this.page = page;
    return {
      status: page.status,
      error: page.document.querySelector('.error')?.text.trim(),
      retryAfter: page.headers.get('retry-after'),
      signedIn: false,
      page,
    };
  }
}

/**
 * A request to a client-authenticating endpoint with a wrong client secret, from the given
 * forwarded address if any. The endpoint is the path below the issuer, spelled as given
 * (`token`, `token/introspection`, `token/revocation`, or another spelling of one of them).
 */
export function badClientAuthentication(server: TestServer, headers: Record<string, string> = {}, endpoint = 'token'): Promise<Response> {
  const isToken = /^token\/?$/i.test(endpoint);
  const fields: Record<string, string> = isToken ? { grant_type: 'client_credentials' } : { token: 'some-token' };
  return postForm(server, endpoint, fields, { ...basicAuth('web', 'not-the-secret'), ...headers });
}

/** A password grant token request from the 'web' application (RFC 6749 §4.3). */
export function passwordGrant(server: TestServer, username: string, password: string, headers: Record<string, string> = {}) {
  return postToken(server, { grant_type: 'password', username, password, scope: 'openid' }, { ...basicAuth('web', secretOf('web')), ...headers });
}

/** Reads one attempt counter straight from the server's database, to see what was stored. */
export async function readCounter(server: TestServer, key: string): Promise<AttemptCounterRow | undefined> {
  const storage = server.openStorage();
  try {
    return await createAttemptCounterQueries(storage.db).find(key);
  } finally {
    await storage.close();
  }
}
