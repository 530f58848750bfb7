import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { AuditActor } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { KoaContextWithOIDC, OidcProvider } from './engine.js';
import { revokedGrant, signedOut, tokensIssued, tokensIssuedAtAuthorization, type GrantRevocation, type TokenIssuance } from './engine-internals.js';

export interface AuditListenerDeps {
  audit: AuditLog;
  /** The client address Gatehouse computed (trusted proxies applied). */
  clientIp: (req: IncomingMessage) => string;
  logger: Logger;
}

/** Who ended a grant: the application that revoked its token, the user who signed out, or the engine on a reused code or token. */
function revokedBy(reason: GrantRevocation | undefined, clientId: string | undefined, accountId: string | undefined): AuditActor {
  if (reason === 'token_revoked' && clientId !== undefined) return { kind: 'client', clientId };
  if (reason === 'logout' && accountId !== undefined) return { kind: 'user', userId: accountId };
  return { kind: 'system', reason: reason === 'reuse_detected' ? 'a code or refresh token presented again' : 'protocol engine' };
}

/**
 * The engine's events the audit log records: tokens issued (at the token endpoint per grant
 * type, and at the authorization endpoint by the implicit and hybrid response types), a logout,
 * and a grant (what the user consented to) revoked. Each reads the request through
 * engine-internals.ts; none reads or keeps a token. The engine emits synchronously inside the
 * request, so a listener that threw would fail the request: each failure is logged instead.
 */
export function registerAuditListeners(provider: OidcProvider, { audit, clientIp, logger }: AuditListenerDeps): void {
  function safely<A extends unknown[]>(event: string, listener: (ctx: KoaContextWithOIDC, ...rest: A) => void) {
    return (ctx: KoaContextWithOIDC, ...rest: A) => {
      try {
        listener(ctx, ...rest);
      } catch (error) {
        logger.warn({ err: error, event }, 'an engine event could not be recorded in the audit log');
      }
    };
  }

  function issued(ctx: KoaContextWithOIDC, { grantType, clientId, accountId, tokens, scope }: TokenIssuance, more: Record<string, unknown> = {}): void {
    audit.record({
      type: 'token.issued',
      // The application asked for them (at the token endpoint, or through the browser).
      actor: clientId === undefined ? { kind: 'anonymous' } : { kind: 'client', clientId },
      clientId, userId: accountId, clientAddress: clientIp(ctx.req),
      details: { grant_type: grantType, tokens, ...(scope === undefined ? {} : { scope }), ...more },
    });
  }

  provider.on('grant.success', safely('grant.success', (ctx) => issued(ctx, tokensIssued(ctx))));
  provider.on('authorization.success', safely('authorization.success', (ctx, response?: Record<string, unknown>) => {
    const issuance = tokensIssuedAtAuthorization(ctx, response);
    if (issuance) issued(ctx, issuance, { response_type: issuance.responseType });
  }));
  provider.on('end_session.success', safely('end_session.success', (ctx) => {
    const ended = signedOut(ctx);
    if (!ended) return;
    audit.record({ type: 'session.ended', actor: { kind: 'user', userId: ended.accountId }, userId: ended.accountId, clientId: ended.clientId, clientAddress: clientIp(ctx.req), reason: 'logout' });
  }));
  provider.on('grant.revoked', safely('grant.revoked', (ctx, grantId: string) => {
    const { reason, clientId, accountId } = revokedGrant(ctx, grantId);
    audit.record({
      type: 'consent.revoked', actor: revokedBy(reason, clientId, accountId), ...(reason ? { reason } : {}),
      userId: accountId, clientId, clientAddress: clientIp(ctx.req), details: { grant_id: grantId },
    });
  }));
}
