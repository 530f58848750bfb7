import { errors, Provider, type KoaContextWithOIDC, type OidcProvider } from './engine.js';
import type { OAuthErrorAnswer } from './oauth-error.js';

/**
 * Everything Gatehouse relies on inside oidc-provider beyond its documented configuration:
 * each entry names the engine file it mirrors (under node_modules/oidc-provider/lib/) and why
 * Gatehouse needs it. test/engine/engine-internals-*.test.ts checks each one against the
 * installed engine, so an upgrade that changes one fails there, not in production.
 *
 * Relied on where they are used, and checked by the same test:
 * - engine-middleware.ts: provider.use puts middleware in front of the engine's router, in the
 *   order added (lib/provider.js, use); ctx.oidc exists only once a route matched
 *   (lib/helpers/initialize_app.js, ensureOIDC), and the route's answer is in ctx when `next()`
 *   resolves, to be read or replaced.
 * - interactions.ts: provider.interactionDetails and interactionResult reject with
 *   errors.SessionNotFound for a missing interaction cookie, interaction or session, or a
 *   session whose user changed (lib/provider.js, #getInteraction), and pass any other error
 *   (a storage failure) through unchanged. Gatehouse shows the first as "start again". The
 *   consent prompt's details name what the user has not granted yet as missingOIDCScope and
 *   missingOIDCClaims (lib/helpers/interaction_policy/prompts/consent.js): the consent page
 *   shows them and the grant it records adds them.
 * - grants/requested-scopes.ts copies the authorization endpoint's scope rules
 *   (lib/actions/authorization/scopes.js, checkScope), so the password grant grants what
 *   consent would have asked for.
 * - src/http/mount-oidc.ts: the engine takes its mount path from req.originalUrl less req.url
 *   (lib/helpers/oidc_context.js, urlFor), so the URLs it builds keep /oidc once it is stripped.
 * - provider.ts, createClientValidator: provider.Client.validate(metadata) runs the engine's
 *   whole client schema, Gatehouse's extraClientMetadata validator included, without storing
 *   anything, and rejects with InvalidClientMetadata and an error_description
 *   (lib/models/client.js, static validate), so the configuration file is checked before use.
 */

type Client = InstanceType<OidcProvider['Client']>;
type ResponseTypeAllowed = Client['responseTypeAllowed'];

/**
 * lib/models/client.js defines Client#responseTypeAllowed and #grantTypeAllowed, and
 * lib/actions/authorization/response_parameters.js (checkResponseType) is the only caller of
 * responseTypeAllowed: it answers invalid_request when the method says false. Making the
 * method throw `refusal()` instead lets Gatehouse answer the authorization request with its
 * own error, sent back to the application as the engine sends its own. Stops the start when
 * either method is gone rather than answering differently.
 */
export function throwOnUnallowedResponseType(provider: OidcProvider, refusal: () => Error): void {
  const { prototype } = provider.Client;
  if (typeof prototype.responseTypeAllowed !== 'function' || typeof prototype.grantTypeAllowed !== 'function') {
    throw new Error('oidc-provider has no Client#responseTypeAllowed or #grantTypeAllowed any more: review src/oidc/engine-internals.ts for this version');
  }
  const allowed: ResponseTypeAllowed = prototype.responseTypeAllowed;
  prototype.responseTypeAllowed = function responseTypeAllowed(this: Client, type) {
    if (allowed.call(this, type)) return true;
    throw refusal();
  };
}

/**
 * lib/actions/token.js (allowedGrantTypeCheck): once the application is authenticated, a
 * grant type it has not registered is answered invalid_request (400); lib/shared/error_handler.js
 * leaves that answer in ctx.status and ctx.body for middleware around the engine. The check
 * asks the engine's own grantTypeAllowed rather than reading its English wording.
 */
export function refusedUnregisteredGrantType(ctx: KoaContextWithOIDC): boolean {
  const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
  const grantType = oidc?.params?.grant_type;
  return (
    oidc?.route === 'token' &&
    ctx.status === 400 &&
    (ctx.body as { error?: unknown } | undefined)?.error === 'invalid_request' &&
    oidc.client !== undefined &&
    typeof grantType === 'string' &&
    !oidc.client.grantTypeAllowed(grantType)
  );
}

/**
 * lib/shared/error_handler.js puts a JSON error answer in ctx.body as a plain
 * `{ error, error_description }` object, serialised only after every middleware returned, so
 * middleware around the engine may rename the error and keep the engine's description.
 */
export function renameOAuthError(ctx: KoaContextWithOIDC, error: string): void {
  ctx.body = { ...(ctx.body as object), error };
}

/**
 * lib/helpers/initialize_app.js names the routes that authenticate clients and the event each
 * one's error handler emits when a request fails (the device and CIBA routes are off in
 * Gatehouse). The client-authentication throttle checks blocks on these routes and counts
 * failures through their events: when authentication fails with invalid_client,
 * ctx.oidc.client is the application if the client_id names one (lib/shared/client_auth.js
 * records it before checking the credential), and unset if it names none.
 */
export const clientAuthRouteErrorEvents = {
  token: 'grant.error',
  introspection: 'introspection.error',
  revocation: 'revocation.error',
  pushed_authorization_request: 'pushed_authorization_request.error',
} as const;

export type ClientAuthRoute = keyof typeof clientAuthRouteErrorEvents;

type ErrorListener = (ctx: KoaContextWithOIDC, error: unknown) => void;

/** Hears the error events of every client-authenticating route, with the route it came from. */
export function onClientAuthRouteError(provider: OidcProvider, listener: (route: ClientAuthRoute, ctx: KoaContextWithOIDC, error: unknown) => void): void {
  // The engine's typings accept one literal event name per call, not a union of them.
  const on = provider.on.bind(provider) as (event: string, listener: ErrorListener) => void;
  for (const [route, event] of Object.entries(clientAuthRouteErrorEvents) as [ClientAuthRoute, string][]) {
    on(event, (ctx, error) => {
      if (ctx.oidc?.route === route) listener(route, ctx, error);
    });
  }
}

function isClientAuthRoute(route: string | undefined): route is ClientAuthRoute {
  return route !== undefined && Object.hasOwn(clientAuthRouteErrorEvents, route);
}

/**
 * The request whose client is being looked up to be authenticated, when the adapter's Client
 * `find` is called for that; undefined for any other lookup. It relies on:
 * - lib/helpers/initialize_app.js (ensureOIDC) running every routed request inside the
 *   AsyncLocalStorage that the documented static Provider.ctx reads, so code the engine calls
 *   (the adapter) sees the request, and ctx.oidc.route names the route;
 * - lib/shared/client_auth.js (authenticateClient) working out the client_id from whichever
 *   method the request uses (Basic header, client_id, the assertion's sub), then looking the
 *   client up with provider.Client.find before it compares a secret or verifies an assertion,
 *   and recording ctx.oidc.client only after that lookup (later lookups on the same route, as
 *   introspection's of the token's client, find it set);
 * - lib/models/client.js (static find) calling the adapter's find on every lookup: it caches
 *   Client instances by a hash of the metadata the adapter returned, not by id.
 * So an error thrown from the adapter's find here answers the request before any credential is
 * checked, whatever the authentication method.
 */
export function clientAuthenticationInProgress(): KoaContextWithOIDC | undefined {
  const ctx = Provider.ctx;
  if (!ctx || !isClientAuthRoute(ctx.oidc.route) || ctx.oidc.client !== undefined) return undefined;
  return ctx;
}

/**
 * lib/shared/error_handler.js answers an error the engine may show (an OIDCProviderError, so
 * `expose`) with its statusCode and `{ error, error_description }`, as JSON or through
 * renderError when the request prefers HTML, keeping the headers already set on ctx, and emits
 * the route's error event with it. Throws the answer that way from inside the engine.
 */
export function throwAnswer(ctx: KoaContextWithOIDC, answer: OAuthErrorAnswer): never {
  ctx.set(answer.headers);
  const error = new errors.OIDCProviderError(answer.status, answer.body.error);
  error.error_description = answer.body.error_description;
  throw error;
}

/**
 * lib/helpers/initialize_app.js names the authorization endpoint's routes `authorization` and
 * `resume` (its return after an interaction); lib/actions/authorization/response_parameters.js
 * (checkResponseType) has normalised ctx.oidc.params.response_type (each type once, sorted)
 * before lib/helpers/process_response_types.js asks the account for the id_token's claims.
 * True when that id_token comes with no access token, so it alone carries the claims.
 */
export function authorizationEndpointIssuesIdTokenAlone(ctx: KoaContextWithOIDC): boolean {
  const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
  const route = oidc?.route;
  return (route === 'authorization' || route === 'resume') && oidc?.params?.response_type === 'id_token';
}

/**
 * lib/models/id_token.js (payload) masks the claims by the instance's `scope`, `mask` (the
 * claims parameter) and `rejected` fields, which the constructor does not take;
 * lib/helpers/grant_common.js (issueIdToken) sets them after constructing it. A grant of
 * Gatehouse's own sets them the same way: the granted scopes mask the claims, no claims
 * parameter, nothing rejected.
 */
export function issueIdToken(provider: OidcProvider, ctx: KoaContextWithOIDC, claims: Record<string, unknown>, scope: string): Promise<string> {
  const idToken = new provider.IdToken(claims, { ctx });
  Object.assign(idToken, { scope, mask: {}, rejected: [] });
  return idToken.issue({ use: 'idtoken' });
}

/**
 * lib/helpers/oidc_context.js: the engine's own grants record what they load and issue with
 * ctx.oidc.entity, which ctx.oidc.account, .grant, .accessToken and .refreshToken read back,
 * for the engine's later steps and for `grant.success` listeners. A grant of Gatehouse's own
 * records the same, so nothing downstream can tell it apart.
 */
export function recordEntity(ctx: KoaContextWithOIDC, kind: 'Account' | 'Grant' | 'AccessToken' | 'RefreshToken', value: object): void {
  ctx.oidc.entity(kind, value);
}

/**
 * lib/shared/error_handler.js and lib/shared/authorization_error_handler.js answer an error
 * that is no OAuth error (not `expose`d, e.g. a storage failure) with 500 server_error, as an
 * HTML page through renderError at the authorization endpoint or when the request prefers
 * HTML, as JSON otherwise, and emit `server_error` with the error itself. Both happen before
 * middleware around the engine resumes, which may then replace the answer.
 */
export function onServerError(provider: OidcProvider, listener: ErrorListener): void {
  provider.on('server_error', listener);
}

/** lib/shared/error_handler.js: an error is an HTML page when the request prefers HTML to JSON. */
export function prefersHtml(ctx: KoaContextWithOIDC): boolean {
  return ctx.accepts('json', 'html') === 'html';
}

/** A login an interaction finished, as it went into the engine's session. */
export interface ResumedLogin {
  interactionUid: string;
  sessionUid: string;
  amr: string[];
}

/** The key of an interaction result (interactions.ts, finishLogin) naming the interaction whose login it is. */
export const loginInteractionKey = 'gatehouse_login_interaction';

/**
 * lib/provider.js (interactionResult) stores a result as given, keys of Gatehouse's own
 * included, merged into the interaction's lastSubmission; lib/actions/authorization/
 * interactions.js carries that into the next interaction (a consent prompt after the login)
 * as its lastSubmission. lib/actions/authorization/resume.js, at the `resume` route, logs the
 * result's login into ctx.oidc.session (loginAccount: accountId, amr) and keeps the result in
 * ctx.oidc.result; a login for another account than the session's answers with a logout form
 * instead and sets no result. ctx.oidc.entities.Interaction does not name the login's
 * interaction once a further prompt follows (the engine records the new one), hence the key.
 * The session's `uid` (lib/models/session.js) stays the session's for its whole life
 * (resetIdentifier changes its id, not its uid) and is what the end_session routes find it by.
 * After the route answered: the login that went into a session, if this request resumed one
 * (after the login itself and after each prompt that followed it).
 */
export function resumedLogin(ctx: KoaContextWithOIDC): ResumedLogin | undefined {
  const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
  const session = oidc?.session;
  const login = oidc?.result?.login;
  const interactionUid = oidc?.result?.[loginInteractionKey];
  if (oidc?.route !== 'resume' || typeof interactionUid !== 'string' || !session?.uid || !login || session.accountId !== login.accountId) return undefined;
  return { interactionUid, sessionUid: session.uid, amr: session.amr ?? [] };
}

/** A session RP-initiated logout ended, and where the engine sends the browser next. */
export interface EndedSession {
  sessionUid: string;
  amr: string[];
  /** The application's post_logout_redirect_uri (with its state), or the engine's end_session_success page. */
  next: string;
}

/**
 * lib/actions/end_session.js (endSession, at `end_session_confirm`): with `logout` (the user
 * chose to sign out, or nobody was signed in) the engine destroys ctx.oidc.session, whose uid,
 * accountId and amr stay readable on the object, and answers 303 to the application's
 * post_logout_redirect_uri (with its state) or to end_session_success, an absolute URL, before
 * middleware around it resumes; without `logout` only one application's grant ends and the
 * session stays. After the route answered: the signed-in session that ended, if it did.
 */
export function endedSession(ctx: KoaContextWithOIDC): EndedSession | undefined {
  const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
  const session = oidc?.session;
  const next = ctx.response.get('location');
  if (oidc?.route !== 'end_session_confirm' || !oidc.params?.logout || ctx.status !== 303 || !session?.accountId || !next) return undefined;
  return { sessionUid: session.uid, amr: session.amr ?? [], next };
}

/** Koa's ctx.redirect keeps a 3xx status already set: the engine's 303 after a form post stays a 303. */
export function redirectInstead(ctx: KoaContextWithOIDC, url: string): void {
  ctx.status = 303;
  ctx.redirect(url);
}

/** What the engine issued to an application, for the audit log: the kinds of token, never a value. */
export interface TokenIssuance {
  /** The grant type (`authorization_code`, `refresh_token`, `client_credentials`, `password`), or `implicit` at the authorization endpoint. */
  grantType: string;
  clientId: string | undefined;
  /** The user the tokens are for; undefined for an application's own (client credentials). */
  accountId: string | undefined;
  /** Which of access_token, id_token and refresh_token were issued. */
  tokens: string[];
  scope: string | undefined;
}

type Readable = Record<string, unknown> | undefined;
const stringOf = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const tokenKinds = ['access_token', 'id_token', 'refresh_token'] as const;
const kindsIn = (body: Readable) => tokenKinds.filter((kind) => stringOf(body?.[kind]) !== undefined);

/**
 * lib/actions/token.js (callTokenHandler) emits `grant.success` once the grant's handler has put
 * its token response in ctx.body as a plain object (buildTokenResponse in
 * lib/helpers/grant_common.js, and in lib/actions/grants/client_credentials.js and
 * refresh_token.js; Gatehouse's password grant does the same), serialised only after the
 * middleware returns. ctx.oidc.params.grant_type names the grant, ctx.oidc.client the
 * authenticated application, and ctx.oidc.account (lib/helpers/oidc_context.js: the `Account`
 * entity the grant recorded) the user, unset for client credentials. Reads which tokens are
 * there and the scope, never a token.
 */
export function tokensIssued(ctx: KoaContextWithOIDC): TokenIssuance {
  const body = ctx.body as Readable;
  return {
    grantType: String(ctx.oidc.params?.grant_type ?? ''),
    clientId: ctx.oidc.client?.clientId,
    accountId: stringOf(ctx.oidc.account?.accountId),
    tokens: kindsIn(body),
    scope: stringOf(body?.scope),
  };
}

/**
 * lib/actions/authorization/respond.js emits `authorization.success` with the authorization
 * response's parameters before the response mode sends them: an access_token or id_token among
 * them was issued by the authorization endpoint itself (the implicit grant's response types, and
 * the hybrid ones'), for the user of ctx.oidc.session. Undefined when it issued only a code.
 */
export function tokensIssuedAtAuthorization(ctx: KoaContextWithOIDC, response: Readable): (TokenIssuance & { responseType: string }) | undefined {
  const tokens = kindsIn(response);
  if (tokens.length === 0) return undefined;
  return {
    grantType: 'implicit',
    responseType: String(ctx.oidc.params?.response_type ?? ''),
    clientId: ctx.oidc.client?.clientId,
    accountId: stringOf(ctx.oidc.session?.accountId),
    tokens,
    scope: stringOf(response?.scope),
  };
}

/**
 * lib/actions/end_session.js (endSession) emits `end_session.success` before its 303, after
 * destroying the session when the user chose to sign out (ctx.oidc.params.logout); the
 * destroyed session keeps its accountId readable (as endedSession relies on), and ctx.oidc.client
 * is the application the logout named, if any. Without `logout` the person only left one
 * application, whose grant ends (`grant.revoked`), and undefined is returned.
 */
export function signedOut(ctx: KoaContextWithOIDC): { accountId: string; clientId: string | undefined } | undefined {
  const accountId = stringOf(ctx.oidc.session?.accountId);
  if (!ctx.oidc.params?.logout || accountId === undefined) return undefined;
  return { accountId, clientId: ctx.oidc.client?.clientId };
}

/** Why the engine revoked a grant, by the route it happened on. */
export type GrantRevocation = 'token_revoked' | 'logout' | 'reuse_detected';

const revocationByRoute: Record<string, GrantRevocation> = { revocation: 'token_revoked', end_session_confirm: 'logout', token: 'reuse_detected' };

/**
 * lib/helpers/revoke.js emits `grant.revoked` with the grant's id once the grant and its tokens
 * are destroyed, on three routes: `revocation` (an application revoked one of its refresh
 * tokens, which lib/actions/revocation.js recorded as the RefreshToken entity; ctx.oidc.client is
 * that application), `token` (a code or refresh token presented again, lib/helpers/grant_source.js
 * and refresh_token.js; the refresh token is recorded by then, a code is not) and
 * `end_session_confirm` (lib/actions/end_session.js: a logout revokes the grant of every
 * application in ctx.oidc.session.authorizations, keyed by client_id, each entry naming its
 * grantId, and leaving one application revokes that one's before its entry is deleted). The
 * application is the session entry's that names the grant, else ctx.oidc.client; the user is
 * read from whichever of the token and the session is there.
 */
export function revokedGrant(ctx: KoaContextWithOIDC, grantId: string): { reason: GrantRevocation | undefined; clientId: string | undefined; accountId: string | undefined } {
  const entities = (ctx.oidc.entities ?? {}) as Record<string, { accountId?: unknown } | undefined>;
  const session = ctx.oidc.session as { accountId?: unknown; authorizations?: Record<string, { grantId?: unknown } | undefined> } | undefined;
  const fromSession = Object.entries(session?.authorizations ?? {}).find(([, authorization]) => authorization?.grantId === grantId)?.[0];
  const accountId = stringOf(entities.RefreshToken?.accountId) ?? stringOf(entities.AccessToken?.accountId) ?? stringOf(session?.accountId);
  return { reason: revocationByRoute[String(ctx.oidc.route)], clientId: fromSession ?? ctx.oidc.client?.clientId, accountId };
}
