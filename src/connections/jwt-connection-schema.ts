import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { defaults } from '../config/defaults.js';
import { hmacAlgorithms, publicKeyAlgorithms, type JwtAlgorithm } from './connection.js';
import { connectionId, upstreamUrl } from './connection-schema.js';

const algorithm = z.enum([...hmacAlgorithms, ...publicKeyAlgorithms], {
  error: `must be one of ${[...hmacAlgorithms, ...publicKeyAlgorithms].join(', ')} ("none" is never accepted)`,
});

/** RFC 7518 §3.2: an HMAC key at least as long as the hash's output. */
const hmacKeyBytes: Record<(typeof hmacAlgorithms)[number], number> = { HS256: 32, HS384: 48, HS512: 64 };

/** Which algorithms a public key can verify, by its type (and curve). */
function algorithmsOfKey(key: KeyObject): readonly JwtAlgorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec':
      return ({ prime256v1: ['ES256'], secp384r1: ['ES384'], secp521r1: ['ES512'] } as Record<string, JwtAlgorithm[]>)[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? [];
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}

/** The public key of a PEM `PUBLIC KEY` or `CERTIFICATE`; a private key is refused rather than stored in clear. */
export function parsePublicKey(pem: string): { key: KeyObject } | { problem: string } {
  // Anywhere in the text: a private key pasted beside the public one would be stored in clear too.
  if (/PRIVATE KEY/.test(pem)) return { problem: 'is a private key: give the partner\'s public key (-----BEGIN PUBLIC KEY-----), the private one stays with the partner' };
  if (!/-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(pem)) return { problem: 'must be a PEM public key (-----BEGIN PUBLIC KEY-----) or certificate' };
  try {
    return { key: createPublicKey(pem) };
  } catch (error) {
    return { problem: `cannot be read as a public key (${(error as Error).message})` };
  }
}

const jwtConnectionObject = z
  .object({
    id: connectionId,
    name: z.string().trim().min(1, 'must not be empty').max(100),
    type: z.literal('jwt', { error: 'must be "jwt" (a partner that signs users in with a JWT)' }),
    sign_in_url: upstreamUrl,
    secret: z.string().max(2000).optional(),
    public_key: z.string().max(20_000).optional(),
    jwks_uri: upstreamUrl.optional(),
    algorithms: z.array(algorithm).nonempty('name at least one algorithm').refine((list) => new Set(list).size === list.length, 'names an algorithm twice').optional(),
    issuer: z.string().min(1, 'must not be empty').max(1000).optional(),
    audience: z.string().min(1, 'must not be empty').max(1000).optional(),
    require_jti: z.boolean().default(defaults.jwtSso.requireJti),
    max_token_age_seconds: z.number().int().min(1).max(defaults.jwtSso.maxTokenAgeLimitSeconds).default(defaults.jwtSso.maxTokenAgeSeconds),
    clock_skew_seconds: z.number().int().min(0).max(defaults.jwtSso.clockSkewLimitSeconds).default(defaults.jwtSso.clockSkewSeconds),
    provisioning: z.enum(['create', 'existing_users_only']).default(defaults.jwtSso.provisioning),
    enabled: z.boolean().default(defaults.connections.enabled),
  })
  .strict();

const keyFields = ['secret', 'public_key', 'jwks_uri'] as const;

/**
 * A partner that signs users in with a JWT, as an administrator declares it
 * (docs/connections/jwt-sso.md): exactly one way to verify its tokens, and algorithms that key
 * can verify, HMAC ones only with a `secret`.
 */
export const jwtConnectionInputSchema = jwtConnectionObject.superRefine((connection, issues) => {
  const given = keyFields.filter((field) => connection[field] !== undefined);
  if (given.length !== 1) {
    const message = given.length === 0 ? 'give the key that verifies the partner\'s tokens: secret, public_key or jwks_uri' : `give one of secret, public_key and jwks_uri, not ${given.join(' and ')}`;
    issues.addIssue({ code: 'custom', path: [given[1] ?? 'secret'], message });
    return;
  }
  const problem = algorithmProblem(connection);
  if (problem) issues.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
});

function algorithmProblem(connection: z.output<typeof jwtConnectionObject>): { field: string; message: string } | undefined {
  const named = connection.algorithms;
  if (connection.secret !== undefined) {
    const bytes = Buffer.byteLength(connection.secret, 'utf8');
    const wrong = named?.find((alg) => !(hmacAlgorithms as readonly string[]).includes(alg));
    if (wrong) return { field: 'algorithms', message: `${wrong} needs a public key; a secret verifies only ${hmacAlgorithms.join(', ')}` };
    const needed = Math.max(...(named ?? ['HS256']).map((alg) => hmacKeyBytes[alg as (typeof hmacAlgorithms)[number]]));
    if (bytes < needed) return { field: 'secret', message: `must be at least ${needed} bytes long (it is ${bytes}): a random value, as a password manager generates one` };
    return undefined;
  }
  const hmac = named?.find((alg) => (hmacAlgorithms as readonly string[]).includes(alg));
  if (hmac) return { field: 'algorithms', message: `${hmac} is an HMAC algorithm, accepted only with a secret: with a public key it would let anyone who has that key sign` };
  if (connection.public_key === undefined) return undefined;
  const parsed = parsePublicKey(connection.public_key);
  if ('problem' in parsed) return { field: 'public_key', message: parsed.problem };
  const verifiable = algorithmsOfKey(parsed.key);
  if (verifiable.length === 0) return { field: 'public_key', message: `is a ${parsed.key.asymmetricKeyType} key, which no supported algorithm uses (RSA, EC P-256/384/521 or Ed25519)` };
  const unfit = named?.find((alg) => !verifiable.includes(alg));
  if (unfit) return { field: 'algorithms', message: `${unfit} cannot be verified with this ${parsed.key.asymmetricKeyType} key (it verifies ${verifiable.join(', ')})` };
  return undefined;
}

export type JwtConnectionDeclaration = z.output<typeof jwtConnectionInputSchema>;

/** What the `settings` column holds for a `jwt` connection: everything but the common columns and the secret. */
export type JwtConnectionSettings = Omit<JwtConnectionDeclaration, 'id' | 'name' | 'type' | 'enabled' | 'secret'>;

/** The settings as stored, checked again on the way out. */
export const jwtConnectionSettingsSchema = jwtConnectionObject.omit({ id: true, name: true, type: true, enabled: true, secret: true });

/** The allow-list: the declared one, else the one algorithm each kind of key is usually used with. */
export function effectiveAlgorithms(settings: Pick<JwtConnectionSettings, 'algorithms' | 'public_key' | 'jwks_uri'>): JwtAlgorithm[] {
  if (settings.algorithms) return [...settings.algorithms];
  if (settings.jwks_uri !== undefined) return [...defaults.jwtSso.jwksAlgorithms];
  if (settings.public_key === undefined) return ['HS256'];
  const parsed = parsePublicKey(settings.public_key);
  return 'key' in parsed ? [algorithmsOfKey(parsed.key)[0] ?? 'RS256'] : ['RS256'];
}
