import { z } from 'zod';
import type { JwtConnection } from '../../connections/connection.js';
import { refuse, type TokenRefusal } from './token-refusal.js';

/** The claims of a partner's token that Gatehouse reads (seed 003), checked for type and size. */
export interface PartnerClaims {
  /** The partner's id of the person; matched first, against the identity linked to this connection. */
  sub: string | undefined;
  email: string | undefined;
  given_name: string | undefined;
  family_name: string | undefined;
  /** When present, the person's groups become exactly these. */
  groups: string[] | undefined;
  jti: string | undefined;
  /** Seconds since the epoch. */
  exp: number;
}

/** The same limits as users' own fields (user-schema.ts), so that a partner cannot store more. */
const claimsSchema = z.object({
  sub: z.string().min(1).max(255).optional(),
  email: z.email().max(320).optional(),
  given_name: z.string().trim().min(1).max(200).optional(),
  family_name: z.string().trim().min(1).max(200).optional(),
  groups: z.array(z.string().min(1).max(200)).max(200).optional(),
  jti: z.string().min(1).max(1000).optional(),
  exp: z.number(),
});

/** The claims a verified token carries, or why they cannot sign anyone in. */
export function readPartnerClaims(connection: JwtConnection, payload: Record<string, unknown>): PartnerClaims | TokenRefusal {
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refuse('claim_invalid', `claim "${issue.path.join('.')}": ${issue.message}`);
  }
  const claims = parsed.data;
  if (claims.sub === undefined && claims.email === undefined) return refuse('identity_missing', 'the token names neither "sub" nor "email", so it names nobody');
  if (connection.requireJti && claims.jti === undefined) return refuse('jti_missing', 'the connection requires a "jti" claim (require_jti), and the token has none');
  return {
    sub: claims.sub,
    email: claims.email,
    given_name: claims.given_name,
    family_name: claims.family_name,
    groups: claims.groups && [...new Set(claims.groups)],
    jti: claims.jti,
    exp: claims.exp,
  };
}

export const isRefusal = (value: object): value is TokenRefusal => 'reason' in value;
