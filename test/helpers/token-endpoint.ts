import type { TestServer } from './start-server.js';

/**
 * Where this instance serves the engine's endpoints. The issuer is the public URL, the same for
 * every instance; this is the instance's own address, so that a sibling can be addressed.
 */
export function endpointBase(server: TestServer): string {
  return `${server.url}${new URL(server.issuer).pathname}`;
}

/** client_secret_basic: the id and secret form-encoded, then joined (RFC 6749 §2.3.1). */
export function basicAuth(clientId: string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}` };
}

/**
 * A form post to an endpoint below the issuer (`token`, `token/introspection`, any spelling), as
 * any HTTP client sends it, for requests openid-client would refuse to make.
 */
export function postForm(server: TestServer, endpoint: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${endpointBase(server)}/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The token endpoint's answer, its JSON body read. */
export interface TokenAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function postToken(server: TestServer, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
  const response = await postForm(server, 'token', fields, headers);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}
