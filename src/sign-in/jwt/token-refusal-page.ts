import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { JwtConnection } from '../../connections/connection.js';
import { sendFailure, type DetourFailure, type WayBack } from '../detour/detour-failures.js';
import { t } from '../../i18n/page-locale.js';
import type { TokenRefusal } from './token-refusal.js';

/** What the person is told: what they can do about it, and the reason as a reference for an administrator. */
function failureFor(connection: Pick<JwtConnection, 'name'>, { reason }: TokenRefusal): DetourFailure {
  const words = { connection: connection.name, reason };
  switch (reason) {
    case 'expired':
    case 'too_old':
      return { code: 'jwt_refused', message: t('partner.expired', words) };
    case 'jti_replayed':
      return { code: 'jwt_refused', message: t('partner.replayed', words) };
    case 'keys_unavailable':
      return { code: 'upstream_failed', message: t('partner.keysUnavailable', words) };
    default:
      return { code: 'jwt_refused', message: t('partner.refused', words) };
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
