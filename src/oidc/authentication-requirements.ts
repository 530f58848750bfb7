import { atLeast, higherOf, levelOfAcr, levelOfAmr, type AssuranceLevel } from '../mfa/assurance.js';
import type { ApplicationMfaPolicy, RequirementFor } from '../mfa/mfa-requirement.js';
import type { UserService } from '../users/user-service.js';
import { errors, interactionPolicy, type KoaContextWithOIDC } from './engine.js';
import { verifiedEmailCheck } from './verified-email-check.js';

/** The reason the login prompt names when the session is signed in, but not strongly enough. */
export const stepUpReason = 'authentication_level';

/** The application metadata property (a Gatehouse extension) with the application's MFA policy. */
export const applicationMfaProperty = 'mfa';

const unmetDescription = 'the sign-in did not reach the authentication level this request requires';

/** How strongly the session's sign-in proved the person, from its acr (set by Gatehouse) or, for an older session, its amr. */
export function sessionLevel(session: { acr?: string; amr?: string[] }): AssuranceLevel {
  return (session.acr === undefined ? undefined : levelOfAcr(session.acr)) ?? levelOfAmr(session.amr ?? []);
}

/**
 * What a request asks of the sign-in's level: its `acr_values`, and an `acr` its `claims`
 * parameter marks essential (OpenID Connect Core §5.5.1.1), ranked alike, space-separated. Read
 * from the request's own parameters, as the engine received them: the engine folds `acr_values`
 * into its parsed claims and would lose an essential one. An essential `acr` without values asks
 * for no level.
 */
export function requestedAcrValues(params: { acr_values?: unknown; claims?: unknown }): string | undefined {
  const values: string[] = typeof params.acr_values === 'string' ? params.acr_values.split(' ').filter(Boolean) : [];
  const acr = essentialAcr(params.claims);
  if (acr?.essential) values.push(...[acr.value, ...(Array.isArray(acr.values) ? acr.values : [])].filter((value): value is string => typeof value === 'string'));
  return values.length > 0 ? values.join(' ') : undefined;
}

function essentialAcr(claims: unknown): { essential?: boolean; value?: unknown; values?: unknown } | undefined {
  if (typeof claims !== 'string') return undefined;
  try {
    return (JSON.parse(claims) as { id_token?: { acr?: { essential?: boolean; value?: unknown; values?: unknown } } } | null)?.id_token?.acr;
  } catch {
    // The engine refuses a `claims` parameter that is not JSON before any prompt is checked.
    return undefined;
  }
}

/**
 * The login prompt's first check: a signed-in session whose sign-in is weaker than the request
 * needs (the application's `mfa`, the global policy, the administrators' rule, `acr_values`, an
 * essential `acr`) is asked to step up. With `prompt=none` the engine answers with this check's
 * error, `unmet_authentication_requirements` (OpenID Connect EAP ACR Values §4); so does a request
 * whose `acr_values` are all unknown; and a sign-in that has just completed without reaching the
 * level ends the request with it rather than asking again and again. Without a session the
 * engine's `no_session` check asks for the sign-in, and this one judges it when it is done.
 */
export function authenticationLevelCheck(requirementFor: RequirementFor) {
  return new interactionPolicy.Check(stepUpReason, unmetDescription, 'unmet_authentication_requirements', async (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    // The login prompt runs at the authorization endpoint, where the engine has loaded both.
    const session = oidc.session!;
    const accountId = session.accountId;
    const acrValues = requestedAcrValues(oidc.params!);
    if (!accountId) {
      if (acrValues !== undefined && acrValues.split(' ').every((value) => levelOfAcr(value) === undefined)) {
        throw new errors.UnmetAuthenticationRequirements('none of the requested acr_values is supported');
      }
      return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }
    const application = oidc.client?.[applicationMfaProperty] as ApplicationMfaPolicy | undefined;
    const { level } = await requirementFor({ userId: accountId, application, acrValues });
    if (level === 'unsupported') throw new errors.UnmetAuthenticationRequirements('none of the requested acr_values is supported');
    if (atLeast(sessionLevel(session), level)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    if (oidc.result?.login) throw new errors.UnmetAuthenticationRequirements(unmetDescription);
    return interactionPolicy.Check.REQUEST_PROMPT;
  }, () => ({ [stepUpReason]: true }));
}

/**
 * The engine's interaction policy with Gatehouse's level check first in the login prompt,
 * replacing its exact-match acr checks, and the verified-address check after it.
 */
export function interactionPolicyWith(requirementFor: RequirementFor, users: Pick<UserService, 'findById'>) {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider has no login prompt in its base interaction policy');
  login.checks.remove('essential_acrs');
  login.checks.remove('essential_acr');
  login.checks.add(authenticationLevelCheck(requirementFor), 0);
  login.checks.add(verifiedEmailCheck(users), 1);
  return policy;
}

/** What a refresh token remembers of the sign-in it came from. */
interface SignInOfToken {
  kind?: string;
  acr?: string;
  amr?: string[];
}

/**
 * The refresh_token grant runs no prompt, so a token from a sign-in weaker than the application
 * needs now (its `mfa` changed, the global policy became `required`, the administrators' rule
 * switched on, the user set up a factor) would go on renewing access forever. The engine looks
 * the account up for every refresh (findAccount with the token); there the token is refused,
 * with what to do, and the application signs the person in again.
 */
export async function refuseWeakerRefresh(requirementFor: RequirementFor, ctx: KoaContextWithOIDC, userId: string, token: SignInOfToken | undefined): Promise<void> {
  // Nothing asks more than a passkey: such a token needs no lookup at each refresh.
  if (token?.kind !== 'RefreshToken' || sessionLevel(token) === 'phr') return;
  const application = ctx.oidc.client?.[applicationMfaProperty] as ApplicationMfaPolicy | undefined;
  const requirement = await requirementFor({ userId, application });
  if (requirement.level === 'unsupported') return;
  const needed = requirement.askEnrolled ? higherOf(requirement.level, 'mfa') : requirement.level;
  if (atLeast(sessionLevel(token), needed)) return;
  throw Object.assign(new errors.InvalidGrant(), {
    error_description: 'the sign-in this refresh token came from no longer meets the second-factor requirement: sign the user in again',
  });
}
