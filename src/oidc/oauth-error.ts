/**
 * An OAuth error answer of Gatehouse's own on /oidc (RFC 6749 §5.2), the same shape the engine
 * gives its errors, so a client library reads them alike: the 429 of a throttled address, the
 * 413 of an oversized body, the 503 of a database outage. Never stored by caches (RFC 6749
 * §5.1); Retry-After when the client is told when to try again.
 */
export interface OAuthErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description: string };
}

export function oauthError(status: number, error: string, description: string, retryAfterSeconds?: number): OAuthErrorAnswer {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return { status, headers, body: { error, error_description: description } };
}

/** Puts the answer in an engine request's context, in front of or after the engine. */
export function respondWith(ctx: { status: number; body: unknown; set(headers: Record<string, string>): void }, answer: OAuthErrorAnswer): void {
  ctx.status = answer.status;
  ctx.set(answer.headers);
  ctx.body = answer.body;
}
