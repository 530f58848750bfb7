/**
 * How strongly a sign-in proved who the person is: the `acr` ladder Gatehouse publishes, ranked
 * so that a request for one level is met by it or any above it (as OpenID Connect EAP's `phr`
 * is met by `phrh`).
 * - `pwd`: one factor (a password, or an upstream provider that said nothing more);
 * - `mfa`: two factors (a password and an authenticator code or recovery code, or an upstream
 *   trusted to have done MFA);
 * - `phr`: phishing-resistant, a passkey took part, bound to Gatehouse's origin.
 */
export const assuranceLevels = ['pwd', 'mfa', 'phr'] as const;

export type AssuranceLevel = (typeof assuranceLevels)[number];

export const acrOf = (level: AssuranceLevel): string => `urn:gatehouse:acr:${level}`;

/** The `acr_values_supported` of discovery, lowest first. */
export const supportedAcrValues: readonly string[] = assuranceLevels.map(acrOf);

/** OpenID Connect EAP ACR Values 1.0 names phishing resistance `phr`; Gatehouse's passkeys are what it asks for. */
const aliases: Record<string, AssuranceLevel> = { phr: 'phr' };

export const rankOf = (level: AssuranceLevel): number => assuranceLevels.indexOf(level);

export const atLeast = (level: AssuranceLevel, required: AssuranceLevel): boolean => rankOf(level) >= rankOf(required);

export const higherOf = (a: AssuranceLevel, b: AssuranceLevel): AssuranceLevel => (rankOf(a) >= rankOf(b) ? a : b);

/** The level an `acr` value names, or undefined for one Gatehouse does not know. */
export function levelOfAcr(value: string): AssuranceLevel | undefined {
  const level = assuranceLevels.find((candidate) => acrOf(candidate) === value);
  return level ?? aliases[value];
}

/**
 * The lowest level that meets an `acr_values` request: the values are alternatives, so the
 * weakest one Gatehouse knows is enough. `unsupported` when every value is unknown (OpenID
 * Connect EAP: answered `unmet_authentication_requirements`); undefined when nothing was asked.
 */
export function requestedLevel(acrValues: string | undefined): AssuranceLevel | 'unsupported' | undefined {
  const values = (acrValues ?? '').split(' ').filter(Boolean);
  if (values.length === 0) return undefined;
  const known = values.map(levelOfAcr).filter((level): level is AssuranceLevel => level !== undefined);
  if (known.length === 0) return 'unsupported';
  return known.reduce((lowest, level) => (rankOf(level) < rankOf(lowest) ? level : lowest));
}

/**
 * What the methods a sign-in used add up to (RFC 8176 values): a passkey (`hwk`, `swk`) counted
 * as a second factor, or verifying its user, is phishing-resistant; `mfa` is two factors.
 */
export function levelOfAmr(amr: readonly string[]): AssuranceLevel {
  if (!amr.includes('mfa')) return 'pwd';
  return amr.includes('hwk') || amr.includes('swk') ? 'phr' : 'mfa';
}

/** The methods of a first factor and a second, without repeats, `mfa` last. */
export function combinedAmr(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second].filter((value) => value !== 'mfa')), 'mfa'];
}
