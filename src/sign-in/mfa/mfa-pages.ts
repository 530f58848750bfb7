import type { FastifyReply } from 'fastify';
import type { Csrf } from '../../http/interaction/csrf.js';
import { currentBranding } from '../../branding/page-branding.js';
import type { AssuranceLevel } from '../../mfa/assurance.js';
import { qrCodeSvg } from '../../mfa/qr-code.js';
import type { TotpService } from '../../mfa/totp.js';
import type { MessageKey } from '../../i18n/catalogue.js';
import { t } from '../../i18n/page-locale.js';
import { interactionPath } from '../../oidc/interaction-path.js';
import type { UserService } from '../../users/user-service.js';
import { enrolPage } from '../../views/enrol-page.js';
import { html, raw } from '../../views/html.js';
import { passkeyForm, passkeyScriptTag } from '../../views/passkey-form.js';
import { recoveryCodesPage } from '../../views/recovery-codes-page.js';
import { secondFactorPage } from '../../views/second-factor-page.js';
import { mfaPath, type HeldSignIn } from './mfa-flow.js';

export interface MfaPageDeps {
  csrf: Csrf;
  totp: Pick<TotpService, 'begin'>;
  users: Pick<UserService, 'findById'>;
}

const reasons: Record<AssuranceLevel, MessageKey> = {
  pwd: 'mfa.reason.pwd',
  mfa: 'mfa.reason.mfa',
  phr: 'mfa.reason.phr',
};

function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** The pages of a sign-in's second step: the factor to prove, the factor to set up, the recovery codes shown once. */
export function createMfaPages({ csrf, totp, users }: MfaPageDeps) {
  const frame = (held: HeldSignIn) => {
    const basePath = mfaPath(held.row.uid);
    return { basePath, csrfToken: csrf.tokenFor(held.row.uid), abortAction: `${interactionPath(held.row.uid)}/abort` };
  };

  const passkey = (basePath: string, csrfToken: string, mode: 'authenticate' | 'register', label: string) => html`${passkeyForm({
    mode, optionsAction: `${basePath}${mode === 'register' ? '/enrol' : ''}/passkey/options`, verifyAction: `${basePath}${mode === 'register' ? '/enrol' : ''}/passkey/verify`,
    csrfToken, label, emphasis: 'primary', nameField: mode === 'register',
  })}
${passkeyScriptTag()}`;

  return {
    /** The page of the sign-in's current step (a challenge or an enrolment); `error` says what went wrong with the last try. */
    async show(reply: FastifyReply, held: HeldSignIn, error?: { status: number; message: string }): Promise<FastifyReply> {
      const { step, requirement, row } = held;
      const common = frame(held);
      if (step.kind === 'challenge') {
        const { enrolled } = requirement;
        const remaining = step.passkeyOnly ? 0 : requirement.enrolled.recoveryCodes;
        return sendHtml(reply, error?.status ?? 200, secondFactorPage({
          ...common,
          applicationName: held.pending.clientName,
          totp: enrolled.totp && !step.passkeyOnly,
          recoveryCodes: remaining,
          passkey: enrolled.passkeys > 0 ? passkey(common.basePath, common.csrfToken, 'authenticate', t('mfa.usePasskey')) : undefined,
          reason: t(row.enrol ? 'mfa.reason.beforeAdding' : reasons[step.level]),
          ...(error ? { error: error.message } : {}),
        }));
      }
      if (step.kind === 'enrol') {
        const user = await users.findById(row.userId);
        const offerTotp = step.factor !== 'passkey';
        const secret = offerTotp ? await totp.begin(row.userId, user?.username ?? row.userId, currentBranding().productName) : undefined;
        return sendHtml(reply, error?.status ?? 200, enrolPage({
          ...common,
          reason: t(row.enrol ? 'enrol.reason.new' : step.factor === 'passkey' ? reasons.phr : 'enrol.reason.none'),
          ...(secret ? { totp: { secret: secret.secret, qrCode: raw(await qrCodeSvg(secret.uri)) } } : {}),
          ...(step.factor === 'totp' ? {} : { passkey: passkey(common.basePath, common.csrfToken, 'register', t('enrol.setUpPasskey')) }),
          ...(error ? { error: error.message } : {}),
        }));
      }
      return reply.redirect(common.basePath, 303);
    },

    /** The new recovery codes, this once; "continue" goes on with the sign-in. */
    recoveryCodes(reply: FastifyReply, held: HeldSignIn, codes: readonly string[]): FastifyReply {
      const common = frame(held);
      return sendHtml(reply, 200, recoveryCodesPage({ codes, next: { action: `${common.basePath}/continue`, csrfToken: common.csrfToken } }));
    },
  };
}

export type MfaPages = ReturnType<typeof createMfaPages>;
