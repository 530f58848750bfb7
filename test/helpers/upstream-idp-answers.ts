/**
 * What the test upstream (upstream-idp.ts) does to the answers its engine gives, as its switches
 * say: the refusal cases of the connection tests, each made the way a real provider would get it
 * wrong, so that only the thing under test is wrong (a re-signed id_token is otherwise valid).
 */
import { CompactSign, decodeProtectedHeader, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** How the upstream misbehaves; read at each request, so a test may change them while it runs. */
export interface UpstreamSwitches {
  /**
   * Claims set on every id_token the token endpoint returns, which is then re-signed with the
   * upstream's published key, so that only these claims are wrong: `{ aud: 'someone-else' }`,
   * `{ nonce: 'another' }`; `undefined` as a value removes the claim.
   */
  idTokenClaims: Record<string, unknown> | undefined;
  /** The token endpoint's id_tokens signed by a key the upstream never published, under the published key's kid. */
  foreignSignature: boolean;
  /**
   * The upstream has rotated its signing key, as Okta does every few months: id_tokens are signed
   * by a new key under a new kid (`upstream-key-2`), which its JWKS now publishes beside the old one.
   */
  rotatedKey: boolean;
  /** Claims left out of id_tokens and released by userinfo only; `true`: every claim but `sub`. */
  claimsOnlyInUserinfo: boolean | string[];
  /**
   * RFC 9207. `true`: the engine's way, advertised in discovery and `iss` on every authorization
   * response; `false`: neither, as providers that predate RFC 9207 do; a string: advertised, and
   * this value sent instead (a mix-up). Query responses only (what Gatehouse asks for).
   */
  authorizationResponseIss: boolean | string;
}

export const behaving: UpstreamSwitches = { idTokenClaims: undefined, foreignSignature: false, rotatedKey: false, claimsOnlyInUserinfo: false, authorizationResponseIss: true };

/** After the engine answered a request (ctx.oidc.route is known only then). */
export async function answerAsSwitched(ctx: KoaContextWithOIDC, switches: UpstreamSwitches, keys: SigningKeys): Promise<void> {
  const route = ctx.oidc?.route;
  if (route === 'discovery' && switches.authorizationResponseIss === false) {
    delete (ctx.body as Record<string, unknown>).authorization_response_iss_parameter_supported;
  }
  if ((route === 'authorization' || route === 'resume') && switches.authorizationResponseIss !== true) rewriteIss(ctx, switches.authorizationResponseIss);
  // A new body: the engine's keys array is its own, kept across requests.
  if (route === 'jwks' && switches.rotatedKey) ctx.body = { keys: [...(ctx.body as { keys: JWK[] }).keys, keys.rotatedPublic] };
  if (route === 'token') await answerToken(ctx, switches, keys);
}

export interface SigningKeys {
  published: JWK;
  own: CryptoKey;
  foreign: CryptoKey;
  /** The key rotated to, and its public half as the JWKS publishes it once rotated. */
  rotated: CryptoKey;
  rotatedPublic: JWK;
}

const rotatedKid = 'upstream-key-2';

/** The key the upstream signs with and publishes, one it never publishes (bad signatures), and the one it rotates to. */
export async function signingKeys(): Promise<SigningKeys> {
  const own = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const rotated = await generateKeyPair('RS256', { extractable: true });
  const published = { ...(await exportJWK(own.privateKey)), kid: 'upstream-key-1', alg: 'RS256', use: 'sig' };
  const rotatedPublic = { ...(await exportJWK(rotated.publicKey)), kid: rotatedKid, alg: 'RS256', use: 'sig' };
  return { published, own: own.privateKey, foreign: foreign.privateKey, rotated: rotated.privateKey, rotatedPublic };
}

/**
 * The token endpoint's answer, once the engine has given it. oidc-provider takes the secret in
 * either place whatever the client registered; a provider that holds an application to the method
 * set in its console (OneLogin's "POST", Okta's choice of the two) refuses the other, and so does
 * this upstream, whatever the engine answered: invalid_client before invalid_grant, as a check
 * with a made-up code (Test connection's) expects. A code redeemed so is spent, which no test of
 * a refusal redeems again.
 */
async function answerToken(ctx: KoaContextWithOIDC, switches: UpstreamSwitches, keys: SigningKeys) {
  const registered = ctx.oidc.client?.clientAuthMethod;
  const used = ctx.oidc.params?.client_secret !== undefined ? 'client_secret_post' : 'client_secret_basic';
  if (registered !== undefined && used !== registered) {
    ctx.status = 401;
    ctx.body = { error: 'invalid_client', error_description: `the client is registered for ${registered}, not ${used}` };
    return;
  }
  const body = ctx.body as { id_token?: unknown } | undefined;
  if (ctx.status === 200 && typeof body?.id_token === 'string') body.id_token = await tamperedIdToken(body.id_token, switches, keys);
}

/** The id_token as the switches want it: the same header (alg; kid unless rotated), the claims changed, signed again. */
async function tamperedIdToken(idToken: string, switches: UpstreamSwitches, keys: SigningKeys): Promise<string> {
  if (!switches.idTokenClaims && !switches.foreignSignature && !switches.rotatedKey) return idToken;
  const payload = { ...JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')), ...switches.idTokenClaims };
  const header = { ...(decodeProtectedHeader(idToken) as { alg: string }), ...(switches.rotatedKey ? { kid: rotatedKid } : {}) };
  const key = switches.foreignSignature ? keys.foreign : switches.rotatedKey ? keys.rotated : keys.own;
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header).sign(key);
}

/** Changes or removes `iss` on an authorization response redirect (one to an interaction has none). */
function rewriteIss(ctx: KoaContextWithOIDC, iss: false | string) {
  const location = ctx.response.get('location');
  if (!location) return;
  const url = new URL(location, ctx.href);
  if (!url.searchParams.has('iss')) return;
  if (iss === false) url.searchParams.delete('iss');
  else url.searchParams.set('iss', iss);
  ctx.set('location', url.toString());
}
