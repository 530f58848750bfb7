import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { MfaSignInQueries, MfaSignInRow } from '../../db/queries/mfa-sign-ins.js';
import { defaults } from '../../config/defaults.js';
import { t } from '../../i18n/page-locale.js';
import type { RequirementFor, Requirement } from '../../mfa/mfa-requirement.js';
import type { Interactions, PendingInteraction } from '../../oidc/interactions.js';
import { interactionPath } from '../../oidc/interaction-path.js';
import { sessionClientId } from '../../oidc/session-client.js';
import { secondFactorKey } from '../../protection/account-lockout.js';
import type { SignInProtection } from '../../protection/sign-in-protection.js';
import type { Clock } from '../../runtime/clock.js';
import type { SignInVia } from '../complete-sign-in.js';
import { nextStep, type NextStep } from './next-step.js';

export interface MfaFlowDeps {
  /** Where the sign-ins past their first factor are kept (src/db/queries/mfa-sign-ins.ts). */
  signIns: MfaSignInQueries;
  clock: Clock;
  interactions: Interactions;
  requirementFor: RequirementFor;
  protection: Pick<SignInProtection, 'accounts'>;
  audit: AuditLog;
}

/** A sign-in past its first factor, as a step of it sees it. */
export interface HeldSignIn {
  pending: PendingInteraction;
  row: MfaSignInRow;
  requirement: Requirement;
  step: NextStep;
}

/** Where the second step of a sign-in is. */
export const mfaPath = (uid: string) => `${interactionPath(uid)}/mfa`;

const startAgain = 'This sign-in has expired or was already completed. Go back to the application and start again.';

/**
 * The part of a sign-in between its first factor and its end, kept in the database by the
 * interaction's uid (so that any instance continues it): what the person proved so far, the
 * factor they came to set up, and how many wrong second factors they gave.
 */
export function createMfaFlow({ signIns, clock, interactions, requirementFor, protection, audit }: MfaFlowDeps) {
  /** A step whose sign-in was started over meanwhile (another first factor in the same interaction) changes nothing. */
  const startedOver = () => new GatehouseError('interaction_expired', 'This sign-in was started again in another tab. Continue there, or go back to the application and start again.');

  /**
   * What the sign-in must prove. A sign-in to Gatehouse itself (its session client: the security
   * page, a partner's plain session) reaches the person's own factors, so whoever has a second
   * factor gives it there, whatever the global policy.
   */
  async function requirementOf(pending: PendingInteraction, userId: string): Promise<Requirement> {
    const requirement = await requirementFor({ userId, application: pending.applicationMfa, acrValues: pending.acrValues });
    if (pending.clientId !== sessionClientId) return requirement;
    return { ...requirement, askEnrolled: requirement.enrolled.totp || requirement.enrolled.passkeys > 0 };
  }

  const stepOf = (row: Pick<MfaSignInRow, 'amr' | 'enrol'>, requirement: Requirement): NextStep =>
    nextStep({ amr: row.amr, requirement, enrol: row.enrol === 'totp' || row.enrol === 'passkey' ? row.enrol : undefined });

  async function finish(request: FastifyRequest, reply: FastifyReply, held: Pick<HeldSignIn, 'pending' | 'row'>): Promise<FastifyReply> {
    const { row, pending } = held;
    if (!(await signIns.end(row))) throw startedOver();
    const redirectTo = await interactions.finishLogin(request.raw, reply.raw, row.uid, row.userId, row.amr);
    if (row.amr.includes('mfa')) {
      audit.record({
        type: 'sign_in.succeeded', actor: { kind: 'user', userId: row.userId }, userId: row.userId, clientId: pending.clientId, clientAddress: request.clientIp,
        details: { method: 'second_factor', first_factor: row.via.method, amr: row.amr },
      });
    }
    return reply.redirect(redirectTo, 303);
  }

  return {
    /**
     * After a first factor: where the sign-in goes on, or undefined when it may finish at once.
     * The decision is next-step.ts's; holding it starts the second step's record.
     */
    async hold(pending: PendingInteraction, userId: string, amr: string[], via: SignInVia): Promise<string | undefined> {
      const requirement = await requirementOf(pending, userId);
      const row = { uid: pending.uid, userId, amr, via, enrol: pending.enrol ?? null, expiresAt: pending.expiresAt };
      if (stepOf(row, requirement).kind === 'finish') return undefined;
      await signIns.start(row);
      return mfaPath(pending.uid);
    },

    /**
     * Starts the second step for the session's own user, when they have a factor: a signed-in
     * person asked to step up proves the second factor only. False for one who has none, who
     * signs in again and then sets one up.
     */
    async stepUp(pending: PendingInteraction, userId: string): Promise<boolean> {
      const requirement = await requirementOf(pending, userId);
      if (!requirement.enrolled.totp && requirement.enrolled.passkeys === 0) return false;
      await signIns.start({ uid: pending.uid, userId, amr: pending.sessionAmr, via: { method: 'session' }, enrol: null, expiresAt: pending.expiresAt });
      return true;
    },

    /** The sign-in's state for a step; a sign-in that is not past its first factor (or has ended) is told to start again. */
    async load(pending: PendingInteraction): Promise<HeldSignIn> {
      const row = pending.prompt === 'login' ? await signIns.find(pending.uid, clock.now()) : undefined;
      if (!row) throw new GatehouseError('interaction_expired', startAgain);
      const requirement = await requirementOf(pending, row.userId);
      return { pending, row, requirement, step: stepOf(row, requirement) };
    },

    /** A factor was proved or set up: the sign-in takes `amr` on (and is no longer setting one up), and stays on this step. */
    async remember(held: HeldSignIn, amr: string[], enrolled: boolean): Promise<void> {
      if (!(await signIns.proved(held.row, amr, enrolled))) throw startedOver();
    },

    /** A factor was proved or set up: the sign-in takes `amr` on, and goes to its next step, or ends. */
    async proved(request: FastifyRequest, reply: FastifyReply, held: HeldSignIn, amr: string[], enrolled: boolean): Promise<FastifyReply> {
      const row = { ...held.row, amr, enrol: enrolled ? null : held.row.enrol };
      if (!(await signIns.proved(row, amr, enrolled))) throw startedOver();
      const step = stepOf(row, enrolled ? await requirementOf(held.pending, row.userId) : held.requirement);
      if (step.kind === 'finish') return finish(request, reply, { ...held, row });
      return reply.redirect(mfaPath(row.uid), 303);
    },

    finish,

    /**
     * A second factor is checked under the account's own counter (account-lockout.ts): while it
     * is locked nothing is checked, a wrong one is counted there and in the sign-in, and the
     * fifth of one sign-in ends it. Returns what the page should say, or the reply that ended it.
     */
    async check(request: FastifyRequest, reply: FastifyReply, held: HeldSignIn, factor: string, verify: () => Promise<boolean>): Promise<{ ok: true } | { ok: false; message: string } | { ok: false; ended: FastifyReply }> {
      const { row, pending } = held;
      const key = secondFactorKey(row.userId);
      const admission = await protection.accounts.admit(key);
      const common = { userId: row.userId, clientId: pending.clientId, clientAddress: request.clientIp };
      if (!admission.admitted) {
        audit.record({ type: 'sign_in.failed', actor: { kind: 'anonymous' }, reason: 'locked', ...common, details: { method: 'second_factor', factor } });
        return { ok: false, message: t('mfa.locked', { minutes: Math.ceil(admission.retryAfterSeconds / 60) }) };
      }
      if (await verify()) {
        await protection.accounts.recordSuccess(key);
        return { ok: true };
      }
      await admission.attempt.fail();
      const failures = await signIns.failed(row.uid);
      if (failures < defaults.mfa.failuresPerSignIn) {
        audit.record({ type: 'sign_in.failed', actor: { kind: 'anonymous' }, reason: 'wrong_second_factor', ...common, details: { method: 'second_factor', factor } });
        return { ok: false, message: wrongFactorMessage(factor) };
      }
      audit.record({ type: 'sign_in.failed', actor: { kind: 'anonymous' }, reason: 'second_factor_limit', ...common, details: { method: 'second_factor', factor } });
      await signIns.end(row);
      const description = 'The sign-in was ended after too many wrong second factors.';
      return { ok: false, ended: reply.redirect(await interactions.refuse(request.raw, reply.raw, row.uid, description), 303) };
    },
  };
}

/** In the page's language: the sign-in's and its user's languages are known by now (mfa-method.ts). */
function wrongFactorMessage(factor: string): string {
  if (factor === 'recovery_code') return t('mfa.wrongRecoveryCode');
  if (factor === 'passkey') return t('mfa.wrongPasskey');
  return t('mfa.wrongCode');
}

export type MfaFlow = ReturnType<typeof createMfaFlow>;
