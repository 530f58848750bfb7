import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { NotifyOwner } from '../../account/notify-owner.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { isGatehouseError } from '../../errors/gatehouse-error.js';
import { combinedAmr } from '../../mfa/assurance.js';
import type { PasskeyCeremonies } from '../../mfa/passkey-ceremonies.js';
import { maxPasskeyNameLength } from '../../mfa/passkey-names.js';
import { PasskeyRefused } from '../../mfa/passkey-response.js';
import type { RecoveryCodeService } from '../../mfa/recovery-codes.js';
import type { TotpService } from '../../mfa/totp.js';
import { stepUpReason } from '../../oidc/authentication-requirements.js';
import type { PendingInteraction } from '../../oidc/interactions.js';
import type { UserService } from '../../users/user-service.js';
import { useLocale } from '../../http/locale.js';
import { t } from '../../i18n/page-locale.js';
import { html } from '../../views/html.js';
import { csrfField, formBody, interactionParams } from '../route-schemas.js';
import type { SignInContext, SignInMethod } from '../sign-in-method.js';
import { mfaPath, type HeldSignIn, type MfaFlow } from './mfa-flow.js';
import type { NextStep } from './next-step.js';
import type { MfaPages } from './mfa-pages.js';

export interface MfaMethodDeps {
  flow: MfaFlow;
  pages: MfaPages;
  totp: Pick<TotpService, 'verify' | 'confirm'>;
  recoveryCodes: Pick<RecoveryCodeService, 'use' | 'generate'>;
  passkeys: Pick<PasskeyCeremonies, 'authenticationOptions' | 'authenticate' | 'registrationOptions' | 'register'>;
  users: Pick<UserService, 'findById'>;
  audit: AuditLog;
  /** Tells the account's owner by email that a second factor was added to it. */
  notifyOwner: NotifyOwner;
}

const codeForm = formBody({ ...csrfField, code: z.string().max(100).default('') });
const csrfOnly = formBody(csrfField);
/** A WebAuthn response is a few KB of JSON at most; the bound leaves room for large attestation objects. */
const passkeyForm = formBody({ ...csrfField, response: z.string().max(65_536).default(''), name: z.string().max(200).optional() });
const schema = <Body>(body: Body) => ({ schema: { params: interactionParams, body } });

type Check = Awaited<ReturnType<MfaFlow['check']>>;

type StepFactor = 'totp' | 'recovery' | 'passkey' | 'enrol-totp' | 'enrol-passkey';

/** Whether the step accepts the factor: a passkey-only challenge takes nothing else, a set-up only what it offers. */
function takes(step: NextStep, factor: StepFactor): boolean {
  if (step.kind === 'challenge') return factor === 'passkey' || ((factor === 'totp' || factor === 'recovery') && !step.passkeyOnly);
  if (step.kind === 'enrol') return factor === 'enrol-totp' ? step.factor !== 'passkey' : factor === 'enrol-passkey' && step.factor !== 'totp';
  return false;
}

/**
 * The second step of every sign-in, as a method of its own under `/interaction/<uid>/mfa`: it
 * offers nothing on the login page, takes over a signed-in session asked to step up (the
 * engine's `authentication_level` reason alone), and otherwise continues what complete-sign-in's
 * gate held (mfa-flow.ts). Every form works without JavaScript but the passkey's.
 */
export function createMfaMethod(deps: MfaMethodDeps): SignInMethod {
  const { flow, pages, totp, recoveryCodes, passkeys, users, audit, notifyOwner } = deps;

  /**
   * The held sign-in when its step takes this factor: a challenge for `totp`, `recovery` or
   * `passkey`, a set-up for `enrol-totp` or `enrol-passkey`; otherwise the browser is sent to the
   * step it is at, and nothing is checked or used up.
   */
  async function load(request: FastifyRequest, reply: FastifyReply, context: SignInContext, uid: string): Promise<HeldSignIn> {
    const held = await flow.load(await context.load(request, reply, uid));
    // The person is known: their `locale` claim counts before the browser's, and what a check says is in the page's language.
    const user = await users.findById(held.row.userId);
    useLocale({ userLocale: user?.profile.locale, switcherTarget: mfaPath(uid) });
    return held;
  }

  async function at(request: FastifyRequest, reply: FastifyReply, context: SignInContext, uid: string, factor: StepFactor): Promise<HeldSignIn | FastifyReply> {
    const held = await load(request, reply, context, uid);
    return takes(held.step, factor) ? held : reply.redirect(mfaPath(uid), 303);
  }

  /** After a check of a factor: on with the sign-in, the page again with what was wrong, or the end of the sign-in. */
  function afterCheck(request: FastifyRequest, reply: FastifyReply, held: HeldSignIn, checked: Check, methods: string[]): Promise<FastifyReply> | FastifyReply {
    if (checked.ok) return flow.proved(request, reply, held, combinedAmr(held.row.amr, methods), false);
    if ('ended' in checked) return checked.ended;
    return pages.show(reply, held, { status: 401, message: checked.message });
  }

  /**
   * A factor was set up: the first one comes with recovery codes, shown once before the sign-in
   * goes on. `methods` is what setting it up proved: an app's code proves its secret (`otp`); a
   * passkey registered with attestation `none` signs nothing, so it proves nothing until it is
   * used, which the next step asks when the sign-in needs it.
   */
  async function enrolled(request: FastifyRequest, reply: FastifyReply, held: HeldSignIn, methods: string[]): Promise<FastifyReply> {
    const amr = methods.length > 0 ? combinedAmr(held.row.amr, methods) : held.row.amr;
    const { userId } = held.row;
    await notifyOwner(userId, 'factor_added', request.log);
    if (held.requirement.enrolled.recoveryCodes > 0) return flow.proved(request, reply, held, amr, true);
    await flow.remember(held, amr, true);
    return pages.recoveryCodes(reply, held, await recoveryCodes.generate({ kind: 'user', userId }, userId));
  }

  return {
    id: 'mfa',
    loginSection: () => html``,

    async shortcut(request, reply, pending: PendingInteraction) {
      const userId = pending.accountId;
      if (userId === undefined || pending.reasons.length !== 1 || pending.reasons[0] !== stepUpReason) return undefined;
      const user = await users.findById(userId);
      if (!user || user.disabled || !(await flow.stepUp(pending, userId))) return undefined;
      return reply.redirect(mfaPath(pending.uid), 303);
    },

    interactionRoutes(routes, context) {
      routes.get('', { schema: { params: interactionParams } }, async (request, reply) => {
        const held = await load(request, reply, context, request.params.uid);
        if (held.step.kind === 'finish') return flow.finish(request, reply, held);
        return pages.show(reply, held);
      });

      routes.post('/totp', schema(codeForm), async (request, reply) => {
        const held = await at(request, reply, context, request.params.uid, 'totp');
        if (!('row' in held)) return held;
        const checked = await flow.check(request, reply, held, 'totp', () => totp.verify(held.row.userId, request.body.code));
        return afterCheck(request, reply, held, checked, ['otp']);
      });

      routes.post('/recovery-code', schema(codeForm), async (request, reply) => {
        const held = await at(request, reply, context, request.params.uid, 'recovery');
        if (!('row' in held)) return held;
        const { userId } = held.row;
        const checked = await flow.check(request, reply, held, 'recovery_code', async () => {
          const { used, remaining } = await recoveryCodes.use(userId, request.body.code);
          if (used) {
            audit.record({
              type: 'mfa.recovery_code_used', actor: { kind: 'user', userId }, userId, clientId: held.pending.clientId, clientAddress: request.clientIp, details: { remaining },
            });
          }
          return used;
        });
        return afterCheck(request, reply, held, checked, ['otp']);
      });

      routes.post('/passkey/options', schema(csrfOnly), async (request, reply) => {
        const held = await at(request, reply, context, request.params.uid, 'passkey');
        if (!('row' in held)) return held;
        return reply.type('application/json; charset=utf-8').send(await passkeys.authenticationOptions({ bindTo: held.row.uid, userId: held.row.userId }));
      });

      routes.post('/passkey/verify', schema(passkeyForm), async (request, reply) => {
        const held = await at(request, reply, context, request.params.uid, 'passkey');
        if (!('row' in held)) return held;
        let method = 'hwk';
        const checked = await flow.check(request, reply, held, 'passkey', async () => {
          try {
            const proved = await passkeys.authenticate({ bindTo: held.row.uid, response: request.body.response, userId: held.row.userId, requireUserVerification: false });
            method = proved.deviceType === 'multiDevice' ? 'swk' : 'hwk';
            return true;
          } catch (error) {
            if (!(error instanceof PasskeyRefused)) throw error;
            request.log.info({ reason: (error.cause as Error | undefined)?.message }, 'passkey refused');
            return false;
          }
        });
        return afterCheck(request, reply, held, checked, [method]);
      });

      routes.post('/enrol/totp', schema(codeForm), async (request, reply) => {
        const held = await at(request, reply, context, request.params.uid, 'enrol-totp');
        if (!('row' in held)) return held;
        const { userId } = held.row;
        if (!(await totp.confirm({ kind: 'user', userId }, userId, request.body.code))) {
          return pages.show(reply, held, { status: 400, message: t('enrol.wrongCode') });
        }
        return enrolled(request, reply, held, ['otp']);
      });

      routes.post('/enrol/passkey/options', schema(csrfOnly), async (request, reply) => {
        const held = await at(request, reply, context, request.params.uid, 'enrol-passkey');
        if (!('row' in held)) return held;
        const user = await users.findById(held.row.userId);
        const username = user?.username ?? held.row.userId;
        const options = await passkeys.registrationOptions({ user: { id: held.row.userId, username, displayName: user?.profile.name ?? username }, bindTo: held.row.uid });
        return reply.type('application/json; charset=utf-8').send(options);
      });

      routes.post('/enrol/passkey/verify', schema(passkeyForm), async (request, reply) => {
        const held = await at(request, reply, context, request.params.uid, 'enrol-passkey');
        if (!('row' in held)) return held;
        const { userId } = held.row;
        try {
          await passkeys.register({
            actor: { kind: 'user', userId }, userId, bindTo: held.row.uid, response: request.body.response, clientAddress: request.clientIp,
            ...(request.body.name ? { name: request.body.name } : {}),
          });
          return enrolled(request, reply, held, []);
        } catch (error) {
          // A refused answer, or a name no form of ours sends (too long, several lines): the page again, with what was wrong.
          if (!(error instanceof PasskeyRefused) && !(isGatehouseError(error) && error.code === 'invalid_request')) throw error;
          request.log.info({ reason: (error.cause as Error | undefined)?.message ?? error.code }, 'passkey registration refused');
          const message = error instanceof PasskeyRefused ? t(error.text) : t('passkey.nameInvalid', { max: maxPasskeyNameLength });
          return pages.show(reply, held, { status: 400, message });
        }
      });

      routes.post('/continue', schema(csrfOnly), async (request, reply) => {
        const held = await flow.load(await context.load(request, reply, request.params.uid));
        if (held.step.kind === 'finish') return flow.finish(request, reply, held);
        return reply.redirect(mfaPath(held.row.uid), 303);
      });
    },
  };
}
