import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { ApplicationService, ClientMetadata as GatehouseClientMetadata, ClientValidator } from '../applications/application-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import { idTokenSigningAlgs, responseTypes, tokenEndpointAuthMethods } from '../applications/application-schema.js';
import { defaults } from '../config/defaults.js';
import type { Db } from '../db/database.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { ClientAuthLimits } from '../protection/client-auth-limits.js';
import type { Clock } from '../runtime/clock.js';
import { scopeClaims, supportedScopes } from '../scopes/scope-claims.js';
import type { PasswordSignIn } from '../sign-in/password-sign-in.js';
import type { UserService } from '../users/user-service.js';
import { supportedAcrValues } from '../mfa/assurance.js';
import type { RequirementFor } from '../mfa/mfa-requirement.js';
import { createAdapterClass, type ClientLookup } from './adapter.js';
import { interactionPolicyWith } from './authentication-requirements.js';
import { assertClaimsParameter } from './claims-parameter.js';
import { createClientAuthThrottle } from './client-auth-throttle.js';
import { extraClientMetadata } from './client-metadata.js';
import { Provider, type ClientMetadata, type Configuration, type OidcProvider } from './engine.js';
import type { EngineState } from './engine-holder.js';
import { registerEngineMiddleware } from './engine-middleware.js';
import type { FederatedSessions } from './federated-sessions.js';
import { createFindAccount } from './find-account.js';
import { interactionPath } from './interaction-path.js';
import { logoutSource, postLogoutSuccessSource, renderError } from './pages.js';
import { rememberResources, resourceIndicators, resourceScopeNames } from './resource-servers.js';
import { consoleClientId, consoleClientMetadata } from './console-client.js';
import { loadExistingGrant, sessionClientId, sessionClientMetadata } from './session-client.js';
import { supportedLocales } from '../i18n/locales.js';

export interface ProviderDeps {
  issuer: string;
  db: Db;
  clock: Clock;
  logger: Logger;
  applications: ApplicationService;
  users: UserService;
  /** The same password check (and protection) as the login page, for the password grant. */
  signIn: PasswordSignIn;
  clientIp: (req: IncomingMessage) => string;
  /** Failed client authentications per application and client address. */
  clientAuthLimits: ClientAuthLimits;
  /** Sessions whose login came from an upstream provider (src/sign-in/oidc), ended there too at logout. */
  federatedSessions: FederatedSessions;
  /** Where the engine's tokens, logouts and revoked grants are recorded. */
  audit: AuditLog;
  /** What a sign-in for an application must prove (the MFA policies, acr_values): the login prompt's first check and the password grant ask it. */
  requirementFor: RequirementFor;
}

/** Algorithms of client_secret_jwt (HS256) and private_key_jwt assertions. */
const clientAuthSigningAlgs = ['HS256', 'RS256', 'PS256', 'ES256', 'EdDSA'] as const;

/** Builds the engine from Gatehouse's services and the stored state (scopes, API resources, keys) of one version. */
export function createProvider(deps: ProviderDeps, state: EngineState): OidcProvider {
  const { ttl } = defaults;
  const claimsOf = scopeClaims(state.customScopes);
  const oidcScopes = supportedScopes(state.customScopes);
  // An API's scopes are known to the engine too, so that an application's `scope` may name (and so be limited to) them;
  // resource-servers.ts keeps them out of every token but their API's.
  const scopes = [...new Set([...oidcScopes, ...resourceScopeNames(state.resources)])];
  const findAccount = createFindAccount(deps.users, claimsOf, deps.requirementFor);
  const clientAuth = createClientAuthThrottle({ limits: deps.clientAuthLimits, clientIp: deps.clientIp });
  const configuration: Configuration = {
    adapter: createAdapterClass({ db: deps.db, clock: deps.clock, findClient: withSessionClient(new URL(deps.issuer).origin, clientAuth.guard(deps.applications.findClientMetadata)) }),
    loadExistingGrant,
    // The console's refresh tokens (console-client.ts) need no offline_access: they end with the person's Gatehouse session.
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || client.clientId === consoleClientId),
    findAccount,
    jwks: { keys: state.signingKeys as Configuration['jwks'] extends { keys: infer K } | undefined ? K : never },
    cookies: {
      keys: state.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    // `acr` with every id_token, not only when acr_values asked for it: an application learns how strongly each sign-in was made.
    claims: { ...Object.fromEntries(Object.entries(claimsOf).map(([scope, claims]) => [scope, [...claims]])), openid: [...(claimsOf.openid ?? ['sub']), 'acr'] },
    scopes,
    // Every id_token is masked by its granted scopes; find-account.ts then narrows it to what
    // the application asked for (id-token-claims.ts), the same rule for every response type and grant.
    conformIdTokenClaims: false,
    extraClientMetadata: extraClientMetadata(scopes),
    responseTypes: [...responseTypes],
    clientAuthMethods: [...tokenEndpointAuthMethods],
    enabledJWA: {
      idTokenSigningAlgValues: [...idTokenSigningAlgs],
      clientAuthSigningAlgValues: [...clientAuthSigningAlgs],
    },
    // Introspection and revocation authenticate applications exactly as the token endpoint does;
    // the engine does not list that in discovery (RFC 8414 §2 leaves it to "other means") so Gatehouse does.
    discovery: {
      introspection_endpoint_auth_methods_supported: [...tokenEndpointAuthMethods],
      introspection_endpoint_auth_signing_alg_values_supported: [...clientAuthSigningAlgs],
      revocation_endpoint_auth_methods_supported: [...tokenEndpointAuthMethods],
      revocation_endpoint_auth_signing_alg_values_supported: [...clientAuthSigningAlgs],
      // The languages of the sign-in pages (i18n/locales.ts), which ui_locales chooses from.
      ui_locales_supported: [...supportedLocales],
    },
    clientDefaults: {
      grant_types: [...defaults.newApplication.grant_types],
      response_types: [...defaults.newApplication.response_types],
      token_endpoint_auth_method: defaults.newApplication.token_endpoint_auth_method,
      id_token_signed_response_alg: defaults.newApplication.id_token_signed_response_alg,
    },
    // An OIDC authorization request must name its redirect_uri, matched exactly (RFC 9700 §4.1.3).
    allowOmittingSingleRegisteredRedirectUri: false,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      // Names single claims, but only ones the application's scopes could release (claims-parameter.ts).
      claimsParameter: { enabled: true, assertClaimsParameter: assertClaimsParameter(claimsOf) },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      // API resources (resource-servers.ts): without `resource`, access tokens stay opaque, for userinfo and introspection.
      resourceIndicators: resourceIndicators(state.resources, oidcScopes),
    },
    // `connection={id}` goes straight to that upstream provider (the Auth0 and Logto convention); the sign-in pages read it.
    // `enrol=totp|passkey` is the security page's own client asking the sign-in to set up a factor (interactions.ts).
    extraParams: ['connection', 'enrol'],
    pkce: {
      // RFC 9700 §2.1.1: public clients must use PKCE; confidential ones may.
      required: (_ctx, client) => client.clientAuthMethod === 'none',
    },
    interactions: { url: (_ctx, interaction) => interactionPath(interaction.uid), policy: interactionPolicyWith(deps.requirementFor, deps.users) },
    // The ladder of authentication levels (src/mfa/assurance.ts), published as acr_values_supported.
    acrValues: [...supportedAcrValues],
    renderError,
    ttl: {
      // A token for an API lives as long as the API's resource says; one for userinfo as long as Gatehouse's own.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? (token.clientId === consoleClientId ? defaults.console.accessTokenSeconds : ttl.accessToken),
      AuthorizationCode: ttl.authorizationCode,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.clientCredentials,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      Interaction: ttl.interaction,
      Session: ttl.session,
      Grant: ttl.grant,
    },
  };

  const provider = new Provider(deps.issuer, configuration);
  // Gatehouse rewrites Host and X-Forwarded-* to the configured public URL before the engine sees them.
  provider.proxy = true;
  rememberResources(provider, state.resources);
  // The password grant names no API: its tokens are for userinfo, with OpenID Connect scopes only.
  registerEngineMiddleware(provider, { ...deps, findAccount, supportedScopes: oidcScopes, clientAuth });
  return provider;
}

/** The applications, and Gatehouse's own clients: for plain sessions (session-client.ts) and the console (console-client.ts). */
function withSessionClient(publicOrigin: string, findClient: ClientLookup): ClientLookup {
  const own = new Map([[sessionClientId, sessionClientMetadata(publicOrigin)], [consoleClientId, consoleClientMetadata(publicOrigin)]]);
  return async (clientId) => own.get(clientId) ?? findClient(clientId);
}

/** Validates application metadata with the engine's own rules; the caller names the entry. */
export function createClientValidator(provider: OidcProvider): ClientValidator {
  return async (metadata: GatehouseClientMetadata) => {
    try {
      await provider.Client.validate(metadata as unknown as ClientMetadata);
    } catch (error) {
      const e = error as { error_description?: string; message: string };
      throw new GatehouseError('config_invalid', e.error_description ?? e.message);
    }
  };
}
