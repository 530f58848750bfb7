import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { defaults } from '../../config/defaults.js';
import type { JwtConnection } from '../../connections/connection.js';
import type { PartnerKeys, PartnerVerificationKey } from '../../connections/partner-keys.js';
import { isGatehouseError } from '../../errors/gatehouse-error.js';
import type { Clock } from '../../runtime/clock.js';
import { readPartnerClaims, type PartnerClaims } from './partner-claims.js';
import { refuse, type TokenRefusal } from './token-refusal.js';

/**
 * A partner's token checked in order, each step a refusal of its own: its size; its header
 * (never `alg: none`, only the connection's algorithms, so an HMAC token is never checked
 * against a public key); its signature with the connection's key; `exp` required and unexpired,
 * `nbf` and `iat` not in the future, within the clock skew; its age bounded; `iss` and `aud` as
 * the connection requires; then the claims that identify the person. Writes nothing: the token
 * id's single use is the next step's (check-replay.ts).
 */
export async function verifyPartnerToken(token: string, connection: JwtConnection, keys: PartnerKeys, clock: Clock): Promise<PartnerClaims | TokenRefusal> {
  if (Buffer.byteLength(token, 'utf8') > defaults.jwtSso.maxTokenBytes) {
    return refuse('token_too_large', `the token is ${Buffer.byteLength(token, 'utf8')} bytes, over the ${defaults.jwtSso.maxTokenBytes} accepted`);
  }
  const algProblem = checkAlgorithm(token, connection);
  if (algProblem) return algProblem;
  const now = Math.floor(clock.now() / 1000);
  const options: JWTVerifyOptions = {
    algorithms: connection.algorithms,
    currentDate: new Date(now * 1000),
    clockTolerance: connection.clockSkewSeconds,
    requiredClaims: ['exp'],
    ...(connection.issuer === undefined ? {} : { issuer: connection.issuer }),
    ...(connection.audience === undefined ? {} : { audience: connection.audience }),
  };
  let payload: JWTPayload;
  try {
    payload = await verifiedPayload(token, keys.keyFor(connection), options);
  } catch (error) {
    return asRefusal(error);
  }
  const ageProblem = checkAge(payload, connection, now);
  if (ageProblem) return ageProblem;
  return readPartnerClaims(connection, payload);
}

function checkAlgorithm(token: string, connection: JwtConnection): TokenRefusal | undefined {
  let alg: unknown;
  try {
    ({ alg } = decodeProtectedHeader(token));
  } catch {
    return refuse('malformed', 'the token is not a signed JWT (three base64url parts, a JSON header)');
  }
  if (typeof alg !== 'string') return refuse('malformed', 'the token\'s header names no "alg"');
  if (alg.toLowerCase() === 'none') return refuse('alg_none', 'the token is unsigned (alg "none"), which is never accepted');
  // The header is the sender's to choose: only a bounded part of it reaches the log.
  if (!(connection.algorithms as string[]).includes(alg)) return refuse('alg_not_allowed', `the token is signed with ${JSON.stringify(alg.slice(0, 20))}; the connection accepts ${connection.algorithms.join(', ')}`);
  return undefined;
}

/** `iat` in the past within the skew and at most max_token_age_seconds old; `exp` at most that far after `iat` (or now, without `iat`). */
function checkAge(payload: JWTPayload, connection: JwtConnection, now: number): TokenRefusal | undefined {
  const { maxTokenAgeSeconds: maxAge, clockSkewSeconds: skew } = connection;
  const exp = payload.exp!;
  const { iat } = payload;
  if (iat !== undefined) {
    if (iat > now + skew) return refuse('issued_in_future', `"iat" is ${iat - now} s in the future, beyond the ${skew} s of clock skew allowed`);
    if (now - iat > maxAge + skew) return refuse('too_old', `the token was issued ${now - iat} s ago; max_token_age_seconds is ${maxAge}`);
  }
  const from = iat ?? now;
  if (exp - from > maxAge + (iat === undefined ? skew : 0)) {
    return refuse('lifetime_too_long', `"exp" is ${exp - from} s after ${iat === undefined ? 'now (the token has no "iat")' : '"iat"'}; max_token_age_seconds is ${maxAge}`);
  }
  return undefined;
}

/**
 * The payload once the signature verifies. A key set may hold several keys a token without
 * `kid` could be signed with (during a partner's rotation, say): each is tried, as jose's
 * error for that case offers.
 */
async function verifiedPayload(token: string, key: PartnerVerificationKey, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const candidate of error) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (attempt) {
        if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/** jose's verdicts as refusal reasons; what jose says goes to the log as the detail. */
function asRefusal(error: unknown): TokenRefusal {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof errors.JWTExpired && error.claim === 'exp') return refuse('expired', message);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing' && error.claim === 'exp') return refuse('exp_missing', 'the token has no "exp" claim, so it would never expire');
    if (error.claim === 'nbf' && error.reason === 'check_failed') return refuse('not_yet_valid', message);
    if (error.claim === 'iss' && error.reason !== 'invalid') return refuse('issuer_mismatch', `${message}: the connection requires another issuer`);
    if (error.claim === 'aud' && error.reason !== 'invalid') return refuse('audience_mismatch', `${message}: the connection requires another audience`);
    return refuse('claim_invalid', message);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return refuse('signature_invalid', 'the signature does not verify with the connection\'s key');
  if (error instanceof errors.JWKSNoMatchingKey) return refuse('signature_invalid', 'no key of the partner\'s key set matches the token (kid and algorithm)');
  // partner-keys.ts words every failure to read a key set as upstream_failed (or the safe fetch's upstream_address_refused).
  if (isGatehouseError(error) && (error.code === 'upstream_failed' || error.code === 'upstream_address_refused')) return refuse('keys_unavailable', message);
  // Anything else jose refuses is a token it cannot process: an unknown critical header, a JWE, a header it cannot read.
  if (error instanceof errors.JOSEError) return refuse('malformed', message);
  throw error;
}
