import type { IncomingMessage } from 'node:http';
import type { AuditLog } from '../../audit/audit-log.js';
import { acrOf } from '../../mfa/assurance.js';
import type { ApplicationMfaPolicy, RequirementFor } from '../../mfa/mfa-requirement.js';
import type { Clock } from '../../runtime/clock.js';
import type { PasswordSignIn } from '../../sign-in/password-sign-in.js';
import type { User } from '../../users/user.js';
import { applicationMfaProperty } from '../authentication-requirements.js';
import { errors, type Account, type FindAccount, type OidcProvider } from '../engine.js';
import { issueIdToken, recordEntity } from '../engine-internals.js';
import { respondTooManyAttempts } from '../too-many-attempts.js';
import { requireVerifiedEmailProperty } from '../verified-email-check.js';
import { grantedScopes } from './requested-scopes.js';

/**
 * The resource owner password credentials grant (RFC 6749 §4.3), for legacy applications that
 * collect the password themselves. Discouraged (RFC 9700 §2.4) and off unless an application
 * lists `password` in its grant_types: the engine refuses it to every other application.
 * Tokens are issued through the engine's own models, as its built-in grants do.
 */
export const passwordGrantType = 'password';

type GrantHandler = Parameters<OidcProvider['registerGrantType']>[1];
type GrantContext = Parameters<GrantHandler>[0];

export interface PasswordGrantDeps {
  signIn: PasswordSignIn;
  /** The client address Gatehouse computed (trusted proxies applied), as the login page uses. */
  clientIp: (req: IncomingMessage) => string;
  findAccount: FindAccount;
  clock: Clock;
  supportedScopes: readonly string[];
  /** The MFA policies: a sign-in that needs a second factor cannot be made with this grant. */
  requirementFor: RequirementFor;
  /** Where a refusal for a missing second factor is recorded (the password check records its own outcome). */
  audit: AuditLog;
}

/** The password grant cannot ask for a second factor, so it says where one can be given. */
const mfaRequiredDescription = 'a second factor is required for this sign-in, and the password grant cannot ask for one: sign in through the browser (authorization code flow) instead';

/** What the application can do about an unverified address: send the person through the browser, where the sign-in offers the link. */
const emailUnverifiedDescription = 'the application requires a verified email address, and this user has none: sign in through the browser (authorization code flow), which offers to verify it';

export function registerPasswordGrant(provider: OidcProvider, deps: PasswordGrantDeps): void {
  provider.registerGrantType(passwordGrantType, (ctx) => passwordGrant(provider, deps, ctx), ['username', 'password', 'scope']);
}

async function passwordGrant(provider: OidcProvider, deps: PasswordGrantDeps, ctx: GrantContext): Promise<void> {
  // A DPoP-bound token cannot be issued here; silently issuing a bearer token instead would mislead the client.
  if (ctx.get('dpop')) throw new errors.InvalidRequest('DPoP is not supported with the password grant');
  const { username, password } = requireCredentials(ctx);
  const scopes = grantedScopes(ctx.oidc.client, ctx.oidc.params.scope, deps.supportedScopes);
  const account = await authenticate(ctx, deps, username, password);
  if (!account) return;
  const authTime = Math.floor(deps.clock.now() / 1000);
  const { grant, grantId } = await recordGrant(provider, ctx, account, scopes);
  const scope = grant.getOIDCScopeFiltered(scopes);

  const accessToken = new provider.AccessToken({ accountId: account.accountId, client: ctx.oidc.client, grantId, gty: passwordGrantType, scope });
  recordEntity(ctx, 'AccessToken', accessToken);
  const accessTokenValue = await accessToken.save();

  ctx.body = {
    access_token: accessTokenValue,
    expires_in: accessToken.expiration,
    id_token: scopes.has('openid') ? await issuePasswordIdToken(provider, ctx, account, scope, authTime) : undefined,
    refresh_token: scopes.has('offline_access') ? await issueRefreshToken(provider, ctx, account, grantId, scope, authTime) : undefined,
    scope: scope || undefined,
    token_type: accessToken.tokenType,
  };
}

function requireCredentials(ctx: GrantContext): { username: string; password: string } {
  const { username, password } = ctx.oidc.params as { username?: unknown; password?: unknown };
  const missing = [typeof username === 'string' && username ? undefined : 'username', typeof password === 'string' && password ? undefined : 'password']
    .filter(Boolean);
  if (missing.length > 0) throw new errors.InvalidRequest(`missing required parameter(s) (${missing.join(',')})`);
  return { username: username as string, password: password as string };
}

/**
 * One answer, invalid_grant, for an unknown user, a wrong password, a disabled or locked account;
 * a throttled client address is answered 429 here and gets no account.
 */
async function authenticate(ctx: GrantContext, deps: PasswordGrantDeps, username: string, password: string): Promise<Account | undefined> {
  const outcome = await deps.signIn({ identifier: username, password, clientIp: deps.clientIp(ctx.req), channel: 'password_grant', clientId: ctx.oidc.client.clientId });
  if (!outcome.ok && outcome.reason === 'throttled') {
    respondTooManyAttempts(ctx, outcome.retryAfterSeconds);
    return undefined;
  }
  if (!outcome.ok) throw new errors.InvalidGrant();
  await refuseWhenSecondFactorNeeded(ctx, deps, outcome.user.id);
  refuseUnverifiedEmail(ctx, deps, outcome.user);
  // The user is read again here: an Account needs the scope claims, which provider.ts holds.
  const account = await deps.findAccount(ctx, outcome.user.id);
  if (!account) throw new errors.InvalidGrant();
  recordEntity(ctx, 'Account', account);
  return account;
}

/**
 * The same requirement as every other sign-in (src/mfa/mfa-requirement.ts): the application's
 * `mfa`, the global policy and the administrators' rule; and a user who set up a factor is not
 * let in around it by a password alone, unless the policy is `off`.
 */
async function refuseWhenSecondFactorNeeded(ctx: GrantContext, deps: PasswordGrantDeps, userId: string): Promise<void> {
  const { client } = ctx.oidc;
  const requirement = await deps.requirementFor({ userId, application: client[applicationMfaProperty] as ApplicationMfaPolicy | undefined });
  if (requirement.level === 'pwd' && !requirement.askEnrolled) return;
  deps.audit.record({
    type: 'sign_in.failed', actor: { kind: 'anonymous' }, reason: 'mfa_required', userId, clientId: client.clientId, clientAddress: deps.clientIp(ctx.req),
    details: { method: 'password', channel: 'password_grant' },
  });
  // The engine's InvalidGrant has a fixed description; this refusal says what the application can do about it.
  throw Object.assign(new errors.InvalidGrant(), { error_description: mfaRequiredDescription });
}

/** An application that requires a verified email address gets no tokens for a user without one, as at the login page. */
function refuseUnverifiedEmail(ctx: GrantContext, deps: PasswordGrantDeps, user: User): void {
  const { client } = ctx.oidc;
  if (client[requireVerifiedEmailProperty] !== true || (user.email !== undefined && user.profile.email_verified === true)) return;
  deps.audit.record({
    type: 'sign_in.failed', actor: { kind: 'anonymous' }, reason: 'email_unverified', userId: user.id, clientId: client.clientId, clientAddress: deps.clientIp(ctx.req),
    details: { method: 'password', channel: 'password_grant' },
  });
  throw Object.assign(new errors.InvalidGrant(), { error_description: emailUnverifiedDescription });
}

/** A grant per successful sign-in, so that its tokens can be revoked together, as for the other grants. */
async function recordGrant(provider: OidcProvider, ctx: GrantContext, account: Account, scopes: Set<string>) {
  const grant = new provider.Grant({ accountId: account.accountId, clientId: ctx.oidc.client.clientId });
  grant.addOIDCScope(scopes);
  const grantId = await grant.save();
  recordEntity(ctx, 'Grant', grant);
  return { grant, grantId };
}

async function issueRefreshToken(
  provider: OidcProvider, ctx: GrantContext, account: Account, grantId: string, scope: string, authTime: number,
): Promise<string> {
  const refreshToken = new provider.RefreshToken({
    accountId: account.accountId,
    acr: acrOf('pwd'),
    amr: ['pwd'],
    authTime,
    client: ctx.oidc.client,
    grantId,
    gty: passwordGrantType,
    rotations: 0,
    scope,
  });
  recordEntity(ctx, 'RefreshToken', refreshToken);
  return refreshToken.save();
}

/** As the engine's token endpoint grants issue it: the granted scopes mask the account's id_token claims. */
async function issuePasswordIdToken(provider: OidcProvider, ctx: GrantContext, account: Account, scope: string, authTime: number): Promise<string> {
  const claims = await account.claims('id_token', scope, {}, []);
  return issueIdToken(provider, ctx, { ...claims, sub: account.accountId, auth_time: authTime, acr: acrOf('pwd'), amr: ['pwd'] }, scope);
}
