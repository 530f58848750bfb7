/**
 * A browser sign-in as few moving parts as it takes: a cookie jar, redirects followed by hand,
 * forms read with regular expressions (cheap, so that the load generator's own cost stays small
 * and is the same for both servers), then the application's side: code for tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { redirectUri } from './fixture.js';
import type { Target } from './targets.js';

class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

interface Landing {
  url: string;
  status: number;
  body: string;
}

async function visit(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Landing | { redirectedTo: string }> {
  let current = url;
  let request = init;
  for (let hops = 0; hops < 10; hops += 1) {
    const headers = new Headers(request.headers);
    const cookie = jar.header();
    if (cookie) headers.set('cookie', cookie);
    headers.set('accept', 'text/html');
    const response = await fetch(current, { ...request, headers, redirect: 'manual' });
    jar.take(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.arrayBuffer();
      const next = new URL(location, current);
      if (next.href.startsWith(redirectUri)) return { redirectedTo: next.href };
      current = next.href;
      request = {};
      continue;
    }
    return { url: current, status: response.status, body: await response.text() };
  }
  throw new Error(`too many redirects from ${url}`);
}

const attribute = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1]?.replaceAll('&amp;', '&');

/** The form whose action ends with `/{ending}`: its action and the fields it would send (hidden inputs, the first named button). */
function formEnding(page: Landing, ending: string): { action: string; fields: Record<string, string> } | undefined {
  for (const match of page.body.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)) {
    const form = match[0];
    const action = attribute(form.slice(0, form.indexOf('>')), 'action');
    if (!action?.endsWith(`/${ending}`)) continue;
    const fields: Record<string, string> = {};
    for (const input of form.matchAll(/<input\b[^>]*>/g)) {
      const name = attribute(input[0], 'name');
      if (name && attribute(input[0], 'type') === 'hidden') fields[name] = attribute(input[0], 'value') ?? '';
    }
    const button = /<button\b[^>]*\bname="[^"]*"[^>]*>/.exec(form)?.[0];
    if (button) fields[attribute(button, 'name')!] = attribute(button, 'value') ?? '';
    return { action: new URL(action, page.url).href, fields };
  }
  return undefined;
}

function post(jar: CookieJar, url: string, fields: Record<string, string>) {
  return visit(jar, url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

export interface Client {
  clientId: string;
  secret?: string;
  scope: string;
}

export interface Credentials {
  username: string;
  password: string;
}

export function basicAuth(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** Posts to the token endpoint as the client authenticates there (basic, or none for a public client). */
export async function tokenRequest(target: Target, client: Client, fields: Record<string, string>): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.secret) headers.authorization = basicAuth(client.clientId, client.secret);
  else fields = { ...fields, client_id: client.clientId };
  const response = await fetch(`${target.issuer}/token`, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
  const body = (await response.json()) as Record<string, string>;
  if (response.status !== 200) throw new Error(`${target.name} token endpoint: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * One whole sign-in in a fresh browser: authorize → login form → consent → callback code →
 * token, and userinfo with the access token when asked. Returns the token response.
 */
export async function signIn(target: Target, client: Client, credentials: Credentials, options: { prompt?: string; userinfo?: boolean } = {}) {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(`${target.issuer}/auth`);
  const params: Record<string, string> = {
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: client.scope,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.prompt ? { prompt: options.prompt } : {}),
  };
  for (const [name, value] of Object.entries(params)) authorize.searchParams.set(name, value);

  let result = await visit(jar, authorize.href);
  for (let step = 0; step < 4 && 'body' in result; step += 1) {
    const login = formEnding(result, 'login');
    const consent = login ? undefined : formEnding(result, 'consent');
    if (login) result = await post(jar, login.action, { ...login.fields, username: credentials.username, password: credentials.password });
    else if (consent) result = await post(jar, consent.action, consent.fields);
    else throw new Error(`${target.name}: unexpected page ${result.url} (${result.status}): ${result.body.slice(0, 300)}`);
  }
  if ('body' in result) throw new Error(`${target.name}: the sign-in did not come back to the application`);
  const callback = new URL(result.redirectedTo);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== state) throw new Error(`${target.name}: callback without a code: ${callback.href}`);
  const tokens = await tokenRequest(target, client, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
  if (options.userinfo) {
    const response = await fetch(`${target.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${target.name} userinfo: ${response.status}`);
  }
  return tokens;
}
