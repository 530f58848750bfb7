import { atLeast, higherOf, levelOfAmr, type AssuranceLevel } from '../../mfa/assurance.js';
import type { Requirement } from '../../mfa/mfa-requirement.js';

/**
 * What a sign-in past its first factor does next:
 * - `challenge`: ask for a factor the user has (`passkeyOnly` when only a passkey reaches the level);
 * - `enrol`: set one up (`any`: an authenticator app or a passkey);
 * - `finish`: the level is reached, and nothing was asked to be set up.
 */
export type NextStep =
  | { kind: 'challenge'; passkeyOnly: boolean; level: AssuranceLevel }
  | { kind: 'enrol'; factor: 'totp' | 'passkey' | 'any'; level: AssuranceLevel }
  | { kind: 'finish' };

export interface StepInput {
  /** What the sign-in proved so far (RFC 8176). */
  amr: readonly string[];
  requirement: Requirement;
  /** The factor the person came to set up (the security page), if any. */
  enrol: 'totp' | 'passkey' | undefined;
}

/**
 * Decides from what the sign-in proved and what it must reach. A user who has a factor proves
 * it before setting up another (so that a stolen password cannot add the thief's own), and one
 * who has none is sent to set one up only when something requires it; a requirement of a
 * passkey is met by a passkey alone, which someone with only an authenticator app first proves
 * that with, then sets a passkey up.
 */
export function nextStep({ amr, requirement, enrol }: StepInput): NextStep {
  if (requirement.level === 'unsupported') return { kind: 'finish' };
  const achieved = levelOfAmr(amr);
  const need = requirement.askEnrolled ? higherOf(requirement.level, 'mfa') : requirement.level;
  const { totp, passkeys } = requirement.enrolled;
  const hasFactor = totp || passkeys > 0;
  const secondFactorDone = atLeast(achieved, 'mfa');

  if (enrol !== undefined) {
    if (hasFactor && !secondFactorDone) return { kind: 'challenge', passkeyOnly: false, level: 'mfa' };
    if (enrol === 'passkey' || !totp) return { kind: 'enrol', factor: enrol, level: need };
  }
  if (atLeast(achieved, need)) return { kind: 'finish' };
  if (need === 'phr') {
    if (passkeys > 0) return { kind: 'challenge', passkeyOnly: true, level: need };
    if (hasFactor && !secondFactorDone) return { kind: 'challenge', passkeyOnly: false, level: need };
    return { kind: 'enrol', factor: 'passkey', level: need };
  }
  if (hasFactor) return { kind: 'challenge', passkeyOnly: false, level: need };
  return { kind: 'enrol', factor: 'any', level: need };
}
