import { createAddressIdentityQueries, type AddressIdentityRow } from '../../../src/db/queries/address-identities.js';
import { createAttemptCounterQueries, type AttemptCounterRow } from '../../../src/db/queries/attempt-counters.js';
import { passwordHasher, type PasswordHasher } from '../../../src/users/password-hasher.js';
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

/** Another application on the same network, with a secret of its own: it signs users in with the password grant and gets tokens of its own. */
export const reportsApplication = {
  client_id: 'reports',
  client_name: 'Reports',
  client_secret: secretOf('reports'),
  token_endpoint_auth_method: 'client_secret_post',
  grant_types: ['client_credentials', 'password'],
};

/** A configuration file with the applications and the users above, plus the given security section and any further applications. */
export function protectionDeclarations(security: Record<string, unknown> = {}, applications: object[] = []) {
  return { applications: [webApplication, reportsApplication, ...applications], users: [...users], security };
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

/** The same from the 'reports' application, which sends its secret in the body (client_secret_post). */
export function reportsPasswordGrant(server: TestServer, username: string, password: string, headers: Record<string, string> = {}) {
  const fields = { grant_type: 'password', username, password, scope: 'openid', client_id: 'reports', client_secret: secretOf('reports') };
  return postToken(server, fields, headers);
}

/** A client credentials token request, authenticated with client_secret_basic (RFC 6749 §4.4). */
export function clientCredentials(server: TestServer, clientId: string, secret: string, headers: Record<string, string> = {}) {
  return postToken(server, { grant_type: 'client_credentials' }, { ...basicAuth(clientId, secret), ...headers });
}

/** How many answers had each status, e.g. { 401: 5, 429: 3 }. */
export function countStatuses(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
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

/** Reads the row of an identity at an address (identityKey) straight from the server's database. */
export async function readAddressIdentity(server: TestServer, key: string): Promise<AddressIdentityRow | undefined> {
  const storage = server.openStorage();
  try {
    return await createAddressIdentityQueries(storage.db).find(key);
  } finally {
    await storage.close();
  }
}

/**
 * The real hasher, recording each verification's parameters (`$argon2id$v=19$m=…,t=…,p=…`):
 * hashes with the same parameters cost the same to verify.
 */
export function countingHasher(): PasswordHasher & { verified: string[] } {
  const verified: string[] = [];
  return {
    verified,
    hash: (password) => passwordHasher.hash(password),
    verify: (storedHash, password) => {
      verified.push(storedHash.slice(0, storedHash.lastIndexOf('$', storedHash.lastIndexOf('$') - 1)));
      return passwordHasher.verify(storedHash, password);
    },
  };
}
