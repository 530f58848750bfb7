import { defaults } from '../config/defaults.js';
import type { UserService } from '../users/user-service.js';
import { higherOf, requestedLevel, type AssuranceLevel } from './assurance.js';
import type { MfaPolicy } from './mfa-settings-schema.js';

/** An application's own demand (its `mfa` setting); `inherit` follows the global policy. */
export const applicationMfaPolicies = ['inherit', 'required', 'phishing_resistant'] as const;
export type ApplicationMfaPolicy = (typeof applicationMfaPolicies)[number];


/** What the requirement reads of the global settings and of a user's factors (src/mfa/mfa-settings.ts, factors.ts). */
export interface RequirementSources {
  settings: { get(): Promise<{ policy: MfaPolicy }>; administratorsRequired(): Promise<boolean> };
  factors: { enrolled(userId: string): Promise<Enrolled> };
  users: Pick<UserService, 'findById'>;
}

/** The user's factors: an app confirmed, how many passkeys, how many unused recovery codes. */
export interface Enrolled {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

export interface SignInFor {
  userId: string;
  /** The application's `mfa` setting; absent for Gatehouse's own clients and applications that never set it. */
  application: ApplicationMfaPolicy | undefined;
  /** The authorization request's `acr_values`. */
  acrValues?: string | undefined;
}

export interface Requirement {
  /** The level the sign-in must reach before the application gets a code or token; `unsupported` when acr_values named only unknown levels. */
  level: AssuranceLevel | 'unsupported';
  /** The user has a factor and the policy asks for it (optional or required): the sign-in asks for it even if nothing else demands. */
  askEnrolled: boolean;
  /** What the user has set up, read with the requirement: the sign-in's pages need no second read. */
  enrolled: Enrolled;
}

const applicationLevel: Record<ApplicationMfaPolicy, AssuranceLevel> = { inherit: 'pwd', required: 'mfa', phishing_resistant: 'phr' };

/**
 * What a sign-in must prove, from everything that may demand a second factor: the application,
 * the global policy, the administrators' rule and the request's `acr_values`. One function for
 * every path (the engine's login check, the sign-in's gate, the password grant), so that no
 * sign-in method can reach a token around it.
 */
export function createMfaRequirement({ settings, factors, users }: RequirementSources) {
  async function isAdministrator(userId: string): Promise<boolean> {
    const user = await users.findById(userId);
    return user !== undefined && !user.disabled && user.groups.includes(defaults.administratorsGroup);
  }

  return async function requirementFor({ userId, application, acrValues }: SignInFor): Promise<Requirement> {
    const [global, enrolled] = await Promise.all([settings.get(), factors.enrolled(userId)]);
    const requested = requestedLevel(acrValues);
    if (requested === 'unsupported') return { level: 'unsupported', askEnrolled: false, enrolled };
    let level: AssuranceLevel = higherOf(applicationLevel[application ?? 'inherit'], requested ?? 'pwd');
    if (global.policy === 'required') level = higherOf(level, 'mfa');
    if (level === 'pwd' && (await isAdministrator(userId)) && (await settings.administratorsRequired())) level = 'mfa';
    const hasFactor = enrolled.totp || enrolled.passkeys > 0;
    return { level, askEnrolled: hasFactor && global.policy !== 'off', enrolled };
  };
}

export type RequirementFor = ReturnType<typeof createMfaRequirement>;
