import { z } from 'zod';
import type { AuditLog } from '../../audit/audit-log.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { PasskeyCeremonies } from '../../mfa/passkey-ceremonies.js';
import { PasskeyRefused } from '../../mfa/passkey-response.js';
import { interactionPath } from '../../oidc/interaction-path.js';
import type { UserService } from '../../users/user-service.js';
import { t } from '../../i18n/page-locale.js';
import { html, type SafeHtml } from '../../views/html.js';
import { passkeyForm, passkeyScriptTag } from '../../views/passkey-form.js';
import { csrfField, formBody, interactionParams } from '../route-schemas.js';
import { createSignInEvents } from '../sign-in-events.js';
import type { SignInMethod } from '../sign-in-method.js';

export interface PasskeyMethodDeps {
  ceremonies: Pick<PasskeyCeremonies, 'authenticationOptions' | 'authenticate'>;
  users: Pick<UserService, 'findById'>;
  /** Where refused passkeys are recorded (`sign_in.failed`, method `passkey`); a passkey's success is recorded by completeSignIn. */
  audit?: AuditLog;
}

const optionsBody = formBody(csrfField);
/** A WebAuthn assertion is a few hundred bytes of JSON; the bound leaves room for large user handles and extensions. */
const verifyForm = formBody({ ...csrfField, response: z.string().max(32_768).default('') });

/**
 * Passwordless sign-in with a passkey: a button on the login page (shown by the passkey script
 * where WebAuthn exists) that asks for any discoverable credential of this site with user
 * verification. A verified passkey proves two factors at once, possession of the authenticator
 * and the PIN or biometric that unlocked it, so its amr is `hwk` (or `swk` for a synced passkey),
 * `user` and `mfa` (RFC 8176).
 */
export function createPasskeyMethod({ ceremonies, users, audit }: PasskeyMethodDeps): SignInMethod {
  const events = audit ? createSignInEvents(audit) : undefined;
  return {
    id: 'passkey',
    // Right under the password form: another way to sign in as this person, not through another site.
    besideFirst: true,
    loginSection: (model) => section(model.basePath, model.csrfToken),
    interactionRoutes(routes, context) {
      // The script's JSON post; the interaction was loaded and the CSRF token checked by the interaction routes' hook.
      routes.post('/options', { schema: { params: interactionParams, body: optionsBody } }, async (request, reply) => {
        const { uid } = request.params;
        const pending = await context.load(request, reply, uid);
        if (pending.prompt !== 'login') throw new GatehouseError('interaction_expired', 'This sign-in request is no longer waiting for a sign-in. Reload the page.');
        return reply.type('application/json; charset=utf-8').send(await ceremonies.authenticationOptions({ bindTo: uid }));
      });

      routes.post('/verify', { schema: { params: interactionParams, body: verifyForm } }, async (request, reply) => {
        const { uid } = request.params;
        const pending = await context.load(request, reply, uid);
        if (pending.prompt !== 'login') return reply.redirect(interactionPath(uid), 303);
        const refuse = (message: string, reason: string, userId?: string) => {
          events?.refused({ method: 'passkey', connectionId: undefined, reason, clientAddress: request.clientIp, clientId: pending.clientId, ...(userId ? { userId } : {}) });
          return context.showLoginPage(reply, pending, { status: 401, message });
        };
        let signedIn: Awaited<ReturnType<PasskeyMethodDeps['ceremonies']['authenticate']>>;
        try {
          signedIn = await ceremonies.authenticate({ bindTo: uid, response: request.body.response, requireUserVerification: true });
        } catch (error) {
          if (!(error instanceof PasskeyRefused)) throw error;
          request.log.info({ reason: (error.cause as Error | undefined)?.message }, 'passkey refused');
          return refuse(t(error.text), 'passkey_invalid');
        }
        const user = await users.findById(signedIn.userId);
        if (!user || user.disabled) return refuse(t('login.passkeyAccountDisabled'), 'disabled', signedIn.userId);
        const amr = [signedIn.deviceType === 'multiDevice' ? 'swk' : 'hwk', 'user', 'mfa'];
        return context.completeSignIn(request, reply, { uid, amr, as: { user }, via: { method: 'passkey' } });
      });
    },
  };
}

/** The login page's passkey button and the script that shows it. */
function section(basePath: string, csrfToken: string): SafeHtml {
  const form = passkeyForm({ mode: 'authenticate', optionsAction: `${basePath}/options`, verifyAction: `${basePath}/verify`, csrfToken, label: t('login.passkey') });
  return html`${form}
${passkeyScriptTag()}`;
}
