import type { FastifyReply } from 'fastify';
import { errorCodes, type ErrorCode } from '../../errors/codes.js';
import { t } from '../../i18n/page-locale.js';
import { interactionPath } from '../../oidc/interaction-path.js';
import { signInFailedPage } from '../../views/sign-in-failed-page.js';
import type { Detour, DetourRefusal } from './detours.js';

/**
 * Why a trip through another site (an upstream provider, a partner) cannot go on: one of Gatehouse's error codes (docs/errors.md)
 * and the words for the person signing in. The status is the code's own (`errorCodes`), never
 * stated beside it, so the two cannot disagree. Every one of them leaves users, identity links
 * and sessions as they were.
 */
export interface DetourFailure {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Where the failure page leads back to: the interaction's login page, when this browser holds it. */
export type WayBack = { uid: string | undefined };

/** Hears the code of a failure as it is sent: a sign-in method records it in the audit log. */
export type FailureReport = (code: ErrorCode) => void;

export function sendFailure(reply: FastifyReply, failure: DetourFailure, { uid }: WayBack, report?: FailureReport): FastifyReply {
  report?.(failure.code);
  return reply
    .code(errorCodes[failure.code].status)
    .type('text/html; charset=utf-8')
    .send(signInFailedPage({ message: failure.message, code: failure.code, loginPage: uid === undefined ? undefined : interactionPath(uid) }));
}

/** Said in the language of the page that shows it: made when it is sent, not when the module loads. */
const refusals: Record<DetourRefusal, () => DetourFailure> = {
  unknown: () => ({ code: 'detour_unknown', message: t('detour.unknown') }),
  other_browser: () => ({ code: 'detour_other_browser', message: t('detour.otherBrowser') }),
  expired: () => ({ code: 'detour_expired', message: t('detour.expired') }),
  used: () => ({ code: 'detour_used', message: t('detour.used') }),
};

/** A return the detour store refused, on the failure page with the way back this browser still has. */
export function sendRefusal(reply: FastifyReply, refusal: DetourRefusal, detour: Detour | undefined, report?: FailureReport): FastifyReply {
  // Another browser holds neither the binding nor the interaction's cookie: the login page would not open there.
  const uid = refusal === 'unknown' || refusal === 'other_browser' ? undefined : detour?.interactionUid;
  return sendFailure(reply, refusals[refusal](), { uid }, report);
}

export function connectionUnavailable(connectionId: string): DetourFailure {
  return { code: 'connection_unavailable', message: t('detour.connectionUnavailable', { connection: connectionId }) };
}
