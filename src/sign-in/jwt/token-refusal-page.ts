import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { JwtConnection } from '../../connections/connection.js';
import { sendFailure, type DetourFailure, type WayBack } from '../detour/detour-failures.js';
import type { TokenRefusal } from './token-refusal.js';

/** What the person is told: what they can do about it, and the reason as a reference for an administrator. */
function failureFor(connection: Pick<JwtConnection, 'name'>, { reason }: TokenRefusal): DetourFailure {
  switch (reason) {
    case 'expired':
    case 'too_old':
      return { code: 'jwt_refused', message: `The sign-in from ${connection.name} took too long and has expired. Start the sign-in again. (Reason: ${reason})` };
    case 'jti_replayed':
      return { code: 'jwt_refused', message: `This sign-in from ${connection.name} was used already. Start the sign-in again. (Reason: ${reason})` };
    case 'keys_unavailable':
      return { code: 'upstream_failed', message: `The keys of ${connection.name} could not be read to check the sign-in. Try again in a moment; if it keeps happening, Gatehouse's log names the reason for an administrator.` };
    default:
      return {
        code: 'jwt_refused',
        message: `${connection.name} sent a sign-in that Gatehouse cannot accept, so nobody was signed in. If it keeps happening, an administrator finds the details in Gatehouse's log. (Reason: ${reason})`,
      };
  }
}

/**
 * A refused token: the precise reason in the log and, through `report`, in the audit log (never
 * the token), a page for the person, and nothing else stored. The page leads back to the
 * sign-in when the refusal came with a sign-in of this connection.
 */
export function sendTokenRefusal(
  reply: FastifyReply, logger: Logger, connection: Pick<JwtConnection, 'id' | 'name'>, refusal: TokenRefusal, wayBack: WayBack, report: (refusal: TokenRefusal) => void,
): FastifyReply {
  logger.warn({ connection: connection.id, reason: refusal.reason, detail: refusal.detail }, 'partner sign-in token refused');
  report(refusal);
  return sendFailure(reply, failureFor(connection, refusal), wayBack);
}
