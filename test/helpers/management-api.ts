import assert from 'node:assert/strict';
import { secretOf } from './applications.js';
import type { TestServer } from './start-server.js';
import { basicAuth, postToken } from './token-endpoint.js';

/** An application that manages Gatehouse on its own (client credentials with gatehouse:manage): automation. */
export const automation = {
  client_id: 'automation',
  client_name: 'Provisioning job',
  client_secret: secretOf('automation'),
  grant_types: ['client_credentials'],
  scope: 'gatehouse:manage',
};

/** An access token of a client credentials grant, of `automation` unless told, with the scope asked for. */
export async function machineToken(server: TestServer, { clientId = automation.client_id, scope = 'gatehouse:manage' } = {}): Promise<string> {
  const answer = await postToken(server, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, basicAuth(clientId, secretOf(clientId)));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.access_token as string;
}

/** A management API answer: status, headers, and the body parsed when it is JSON. */
export interface ApiAnswer<Body = any> {
  status: number;
  headers: Headers;
  body: Body;
}

/** One request to the management API at this instance, as any HTTP client sends it; `token` as a bearer when given. */
export async function callApi(server: Pick<TestServer, 'url'>, token: string | undefined, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${server.url}${path.startsWith('/api/') ? path : `/api/v1${path}`}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, headers: response.headers, body: type.includes('json') && text ? JSON.parse(text) : text };
}

/** A caller bound to one server and token: `api.get('/users')`. */
export function apiClient(server: Pick<TestServer, 'url'>, token: string | undefined) {
  return {
    get: (path: string) => callApi(server, token, 'GET', path),
    post: (path: string, body?: unknown) => callApi(server, token, 'POST', path, body ?? {}),
    put: (path: string, body: unknown) => callApi(server, token, 'PUT', path, body),
    patch: (path: string, body: unknown) => callApi(server, token, 'PATCH', path, body),
    delete: (path: string) => callApi(server, token, 'DELETE', path),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Every item of a listing, following `next_cursor` page by page, `limit` at a time. */
export async function allPages(api: ApiClient, path: string, limit: number): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const answer = await api.get(`${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    items.push(...answer.body.items);
    cursor = answer.body.next_cursor;
    pages += 1;
  } while (cursor);
  return { items, pages };
}
