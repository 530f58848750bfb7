import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit/audit-log.js';
import { defaults } from '../config/defaults.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { PresentedToken } from '../oidc/access-tokens.js';
import type { Actor } from '../runtime/actor.js';
import type { User } from '../users/user.js';

/** The scope an access token needs for the management API. */
export const manageScope = 'gatehouse:manage';

/** Who called the management API: an application for itself, or an administrator through an application. */
export type ApiCaller =
  | { kind: 'application'; clientId: string }
  | { kind: 'administrator'; userId: string; clientId: string };

/** The actor the services record a caller's changes under: `client:<client_id>` or `user:<id>`. */
export function actorOf(caller: ApiCaller): Actor {
  return { kind: 'api', subject: caller.kind === 'application' ? `client:${caller.clientId}` : `user:${caller.userId}` };
}

export interface AuthenticateDeps {
  findToken: (value: string) => Promise<PresentedToken | undefined>;
  findUser: (id: string) => Promise<User | undefined>;
  audit: AuditLog;
  /**
   * The failed client authentications of an address (src/protection/client-auth-limits.ts): a
   * token nobody issued counts as one, so that a flood of made-up tokens is cut off after the
   * threshold instead of writing an audit event each.
   */
  failures: { blockedFor(address: string): Promise<number | undefined>; record(address: string): Promise<void> };
}

/** Why a request was refused: the audit log's reason and the Bearer challenge's error (RFC 6750 §3.1). */
type Refusal = 'invalid_token' | 'insufficient_scope' | 'not_administrator';

const bearer = /^Bearer ([\x21-\x7E]+)$/i;

/**
 * The management API's only way in: an access token Gatehouse issued (RFC 6750 bearer), with
 * the scope `gatehouse:manage`, of an application that names that scope in its own `scope`
 * (an application that names none may ask for any scope, which must not make it an
 * administrator); a token issued for a user also needs the user enabled and in the
 * administrators' group, checked at every request so that removing someone takes effect at once.
 */
export function createAuthenticate({ findToken, findUser, audit, failures }: AuthenticateDeps) {
  function refuse(request: FastifyRequest, reply: FastifyReply, refusal: Refusal, token?: PresentedToken): never {
    audit.record({
      type: 'management.refused', actor: token?.accountId ? { kind: 'user', userId: token.accountId } : token ? { kind: 'client', clientId: token.clientId } : { kind: 'anonymous' },
      reason: refusal, clientAddress: request.clientIp, ...(token ? { clientId: token.clientId } : {}), ...(token?.accountId ? { userId: token.accountId } : {}),
      details: { method: request.method, path: request.routeOptions.url ?? request.url.split('?')[0] },
    });
    if (refusal === 'invalid_token') {
      reply.header('www-authenticate', 'Bearer realm="gatehouse", error="invalid_token"');
      throw new GatehouseError('unauthorized', 'The access token is not one Gatehouse issued, or it has expired or was revoked.');
    }
    reply.header('www-authenticate', `Bearer realm="gatehouse", error="insufficient_scope", scope="${manageScope}"`);
    throw new GatehouseError('forbidden', refusal === 'not_administrator'
      ? `The access token was issued for a user who is not an enabled member of ${defaults.administratorsGroup}.`
      : `The access token needs the scope ${manageScope}, granted to an application that names it in its scope.`);
  }

  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<ApiCaller> {
    const presented = bearer.exec(request.headers.authorization ?? '')?.[1];
    if (presented === undefined) {
      // No token at all is no attempt worth an audit event: anyone may knock.
      reply.header('www-authenticate', 'Bearer realm="gatehouse"');
      throw new GatehouseError('unauthorized', 'Send an access token Gatehouse issued: Authorization: Bearer <token>.');
    }
    const token = await findToken(presented);
    if (!token) {
      // Only unknown tokens are held back: a caller with a good one is never blocked by someone guessing from its address.
      const wait = await failures.blockedFor(request.clientIp);
      if (wait !== undefined) {
        throw new GatehouseError('too_many_attempts', 'Too many requests with tokens Gatehouse does not know came from this address; try again later.', { retryAfter: wait });
      }
      await failures.record(request.clientIp);
      return refuse(request, reply, 'invalid_token');
    }
    // The API verifies no proof of possession, so a token bound to a key would be used without its key.
    if (token.senderConstrained) return refuse(request, reply, 'invalid_token', token);
    if (!token.scopes.has(manageScope) || !token.clientScopes?.has(manageScope)) return refuse(request, reply, 'insufficient_scope', token);
    if (token.accountId === undefined) return { kind: 'application', clientId: token.clientId };
    const user = await findUser(token.accountId);
    if (!user || user.disabled || !user.groups.includes(defaults.administratorsGroup)) return refuse(request, reply, 'not_administrator', token);
    return { kind: 'administrator', userId: user.id, clientId: token.clientId };
  };
}
