import type { AuditLog } from '../audit/audit-log.js';

/** A sign-in through a connection that did not complete, as the audit log records it. */
export interface ConnectionRefusal {
  /** The sign-in method's id: `oidc` (upstream providers) or `jwt` (partners). */
  method: string;
  /** Unknown only when the return named no sign-in Gatehouse started. */
  connectionId: string | undefined;
  /** The failure page's error code (`upstream_denied`, `detour_expired`…), a partner token's refusal reason, or an account rule's. */
  reason: string;
  clientAddress: string;
  /** The user it concerned, when it got as far as one. */
  userId?: string;
  clientId?: string;
  details?: Record<string, unknown>;
}

/**
 * Sign-ins through connections, recorded where each method decides: the refusals at its callback
 * and its hop back here, the outcome of its last step by the sign-in context (completeSignIn).
 * The password check records its own (password-sign-in.ts).
 */
export function createSignInEvents(audit: AuditLog) {
  function refused({ method, connectionId, reason, clientAddress, userId, clientId, details }: ConnectionRefusal): void {
    audit.record({ type: 'sign_in.failed', actor: { kind: 'anonymous' }, reason, connectionId, userId, clientId, clientAddress, details: { method, ...details } });
  }
  return {
    refused,
    /**
     * The recorder of one hop back's refusals: the method, the application and the address are
     * the hop's; the connection and reason the refusal's (the failure pages call it with them).
     */
    refusalsAt(method: string, at: { clientId: string; clientAddress: string }) {
      return (connectionId: string | undefined) => (reason: string, details?: Record<string, unknown>) =>
        refused({ method, connectionId, reason, ...at, ...(details ? { details } : {}) });
    },
    succeeded({ method, connectionId, userId, clientId, clientAddress, amr }: { method: string; connectionId: string | undefined; userId: string; clientId: string | undefined; clientAddress: string; amr: string[] }): void {
      audit.record({ type: 'sign_in.succeeded', actor: { kind: 'user', userId }, userId, clientId, connectionId, clientAddress, details: { method, amr } });
    },
  };
}

export type SignInEvents = ReturnType<typeof createSignInEvents>;
