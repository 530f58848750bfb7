import { accessToken } from '../auth/oidc-session';

/** A problem document of the management API (RFC 9457, docs/errors.md). */
interface Problem {
  code?: string;
  title?: string;
  detail?: string;
  details?: { path: string; message: string }[];
}

/** A refused or failed API call, with the field each message is about, for the form to show beside it. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** By field name (`redirect_uris` for `body.redirect_uris.0`, `to` for `querystring.to`); messages about the whole request are under `''`. */
  readonly fields: Readonly<Record<string, string>>;
  /** Every message with its whole path (`body.branding.primary_color`), for a form with nested fields. */
  readonly details: readonly { path: string; message: string }[];

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title ?? `The server answered ${status}.`);
    this.status = status;
    this.code = problem.code ?? 'unknown';
    const fields: Record<string, string> = {};
    for (const { path, message } of problem.details ?? []) {
      const [where, field = ''] = path.split('.');
      const key = where === 'body' || where === 'querystring' ? field : '';
      fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
    }
    this.fields = fields;
    this.details = problem.details ?? [];
  }
}

let whenRefused: () => void = () => {};

/** What the console does when the API says the signed-in person is not an administrator. */
export function onNotAdministrator(handler: () => void): void {
  whenRefused = handler;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Calls the management API (/api/v1) with the console's access token. A 401 means the token
 * lapsed or was revoked: renewed once and sent again. A 403 means the person is not (or no
 * longer) an administrator.
 */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let response = await send(method, path, body, await accessToken());
  if (response.status === 401) response = await send(method, path, body, await accessToken(true));
  if (response.status === 204) return undefined as T;
  const parsed = await bodyOf(response);
  if (response.ok) return parsed as T;
  if (response.status === 403) whenRefused();
  throw new ApiError(response.status, (parsed ?? {}) as Problem);
}

/** The JSON the API answers; a proxy's own page (a 502 in HTML) is no problem document, only its status says something. */
async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (response.ok) throw new ApiError(response.status, { detail: `The server's answer (${response.status}) was not JSON.` });
    return { detail: `The server answered ${response.status} ${response.statusText}. Try again in a moment.` };
  }
}

function send(method: Method, path: string, body: unknown, token: string): Promise<Response> {
  return fetch(`/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A query string from the values that are set. */
export function query(values: Record<string, string | number | undefined>): string {
  const set = Object.entries(values).filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '');
  return set.length ? `?${new URLSearchParams(set.map(([k, v]) => [k, String(v)])).toString()}` : '';
}

/** One page of a listing (docs/management-api.md#pagination). */
export interface Page<Item> {
  items: Item[];
  next_cursor: string | null;
}
