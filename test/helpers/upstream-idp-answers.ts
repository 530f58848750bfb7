/**
 * What the test upstream (upstream-idp.ts) does to the answers its engine gives, as its switches
 * say: the refusal cases of the connection tests, each made the way a real provider would get it
 * wrong, so that only the thing under test is wrong (a re-signed id_token is otherwise valid).
 */
import { CompactSign, decodeProtectedHeader, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { UpstreamSwitches } from './upstream-idp.js';

/** After the engine answered a request (ctx.oidc.route is known only then). */
export async function answerAsSwitched(ctx: KoaContextWithOIDC, switches: UpstreamSwitches, keys: SigningKeys): Promise<void> {
  const route = ctx.oidc?.route;
  if (route === 'discovery' && switches.authorizationResponseIss === false) {
    delete (ctx.body as Record<string, unknown>).authorization_response_iss_parameter_supported;
  }
  if ((route === 'authorization' || route === 'resume') && switches.authorizationResponseIss !== true) rewriteIss(ctx, switches.authorizationResponseIss);
  if (route === 'token') await answerToken(ctx, switches, keys);
}

export interface SigningKeys {
  published: JWK;
  own: CryptoKey;
  foreign: CryptoKey;
}

/** The key the upstream signs with and publishes, and one it never publishes, for bad signatures. */
export async function signingKeys(): Promise<SigningKeys> {
  const own = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const published = { ...(await exportJWK(own.privateKey)), kid: 'upstream-key-1', alg: 'RS256', use: 'sig' };
  return { published, own: own.privateKey, foreign: foreign.privateKey };
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

/** The id_token as the switches want it: the same header (alg, kid), the claims changed, signed again. */
async function tamperedIdToken(idToken: string, switches: UpstreamSwitches, keys: SigningKeys): Promise<string> {
  if (!switches.idTokenClaims && !switches.foreignSignature) return idToken;
  const payload = { ...JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')), ...switches.idTokenClaims };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(decodeProtectedHeader(idToken) as { alg: string })
    .sign(switches.foreignSignature ? keys.foreign : keys.own);
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
