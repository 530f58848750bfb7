/**
 * Why a partner's token was refused: a stable reason (docs/connections/jwt-sso.md lists each),
 * logged with the detail and shown to the person as a reference; the token itself never is.
 */
export type TokenRefusalReason =
  | 'token_missing'
  | 'token_too_large'
  | 'malformed'
  | 'alg_none'
  | 'alg_not_allowed'
  | 'signature_invalid'
  | 'keys_unavailable'
  | 'exp_missing'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'too_old'
  | 'lifetime_too_long'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'jti_missing'
  | 'jti_replayed'
  | 'identity_missing'
  | 'claim_invalid';

export interface TokenRefusal {
  reason: TokenRefusalReason;
  /** For the log: what exactly failed (a claim's name and the bound it broke), never the token. */
  detail: string;
}

export const refuse = (reason: TokenRefusalReason, detail: string): TokenRefusal => ({ reason, detail });
