import { Readable } from 'node:stream';
import { runCli } from '../../../src/cli/run-cli.js';
import { createAttemptCounterQueries, type AttemptCounterRow } from '../../../src/db/queries/attempt-counters.js';
import { Browser, expectPage, isPage, type Page } from '../../helpers/browser.js';
import type { TestServer } from '../../helpers/start-server.js';

export const redirectUri = 'https://app.example.test/callback';
export const webSecret = 'web-secret-0123456789-0123456789-0123456789';

/** The people of the protection tests; each test works on its own user so that counters do not mix. */
export const people = {
  alice: { username: 'Alice', email: 'alice@example.com', password: 'correct horse battery staple' },
  bob: { username: 'bob', email: 'bob@example.com', password: 'bob rides a blue bicycle' },
  carol: { username: 'carol', password: 'carol keeps seven cats' },
  dave: { username: 'dave', password: 'dave plants tall sunflowers' },
  mallory: { username: 'mallory', password: 'mallory is not allowed in', disabled: true },
};

/** A configuration file with one confidential application and the people above, plus the given security section. */
export const webApplication = {
  client_id: 'web',
  client_name: 'Web Notes',
  client_secret: webSecret,
  redirect_uris: [redirectUri],
  grant_types: ['authorization_code', 'password', 'client_credentials'],
};

export function protectionDeclarations(security: Record<string, unknown> = {}) {
  return {
    applications: [webApplication],
    users: Object.values(people).map(({ username, password, ...rest }) => ({ username, password, ...rest })),
    security,
  };
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
    this.browser = this.newBrowser();
  }

  private newBrowser(): Browser {
    return new Browser([new URL(this.server.issuer).origin, this.server.url]);
  }

  /** Opens the login page now, so that a later attempt is only the form post (for bursts of concurrent attempts). */
  async ready(): Promise<this> {
    this.page ??= await this.open();
    return this;
  }

  private async open(): Promise<Page> {
    const url = new URL(`${endpointBase(this.server)}/auth`);
    url.search = new URLSearchParams({
      client_id: 'web',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirectUri,
      state: 'protection-test',
    }).toString();
    return expectPage(await this.browser.get(url.toString()));
  }

  async attempt(username: string, password: string, headers: Record<string, string> = {}): Promise<AttemptResult> {
    this.page ??= await this.open();
    const result = await this.browser.submit(this.page, 'form[action$="/login"]', { username, password }, headers);
    const onLoginPage = isPage(result) && result.document.querySelector('form[action$="/login"]') !== null;
    if (!onLoginPage) {
      this.page = undefined;
      this.browser = this.newBrowser();
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
 * Where this instance serves the oidc-provider endpoints. The issuer is the public URL, the
 * same for every instance; this is the instance's own address, so a sibling can be addressed.
 */
export function endpointBase(server: TestServer): string {
  return `${server.url}${new URL(server.issuer).pathname}`;
}

/**
 * A request to a client-authenticating endpoint with a wrong client secret, from the given
 * forwarded address if any. The endpoint is the path below the issuer, spelled as given
 * (`token`, `token/introspection`, `token/revocation`, or another spelling of one of them).
 */
export async function badClientAuthentication(server: TestServer, headers: Record<string, string> = {}, endpoint = 'token'): Promise<Response> {
  const isToken = /^token\/?$/i.test(endpoint);
  return fetch(`${endpointBase(server)}/${endpoint}`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('web:not-the-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...headers,
    },
    body: new URLSearchParams(isToken ? { grant_type: 'client_credentials' } : { token: 'some-token' }).toString(),
  });
}

/** A password grant token request from the 'web' application (RFC 6749 §4.3). */
export async function passwordGrant(server: TestServer, username: string, password: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${endpointBase(server)}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`web:${webSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'openid' }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, retryAfter: response.headers.get('retry-after') };
}

/** The environment the server was started with, as an operator would give it to the CLI. */
export function serverEnvironment(server: TestServer): Record<string, string> {
  const { config } = server;
  const env: Record<string, string> = { GATEHOUSE_DATA_DIR: config.dataDir, GATEHOUSE_LOG_LEVEL: 'silent' };
  if (config.configFile) env.GATEHOUSE_CONFIG = config.configFile;
  if (config.databaseUrl) env.DATABASE_URL = config.databaseUrl;
  if (config.secret) env.GATEHOUSE_SECRET = config.secret;
  return env;
}

/** Runs a `gatehouse` command in-process against the server's data, as the operator would beside it. */
export async function gatehouse(server: TestServer, argv: string[], stdinText = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdin: Readable.from([Buffer.from(stdinText)]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: serverEnvironment(server),
  });
  return { code, stdout, stderr };
}

/** Gatehouse's time, pinned: it moves only when the test advances it. */
export function pinnedClock(start = Date.now()) {
  let now = start;
  return {
    now: () => now,
    advance(seconds: number): void {
      now += seconds * 1000;
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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
