import { randomBytes } from 'node:crypto';
import type { ApplicationMetadata } from '../applications/application-schema.js';
import type { Connection } from '../connections/connection.js';
import type { EmailSettings } from '../email/email-settings.js';
import type { MfaSettings } from '../mfa/mfa-settings.js';
import type { ApiResource } from '../resources/resource-service.js';
import type { CustomScope } from '../scopes/scope-service.js';
import type { User } from '../users/user.js';

/*
 * The stored records as the configuration file declares them (docs/configuration.md), every
 * secret left out: what `gatehouse config export` prints, and what a start applies again.
 */

/** An application's stored metadata is its declaration without the secret (a start generates a new one). */
export function applicationEntry(metadata: ApplicationMetadata): Record<string, unknown> {
  return withoutUndefined({ ...metadata });
}

export function scopeEntry(scope: CustomScope): Record<string, unknown> {
  return { name: scope.name, description: scope.description, claims: scope.claims };
}

/** Every field, defaults included: the export says what tokens for the API look like without looking them up. */
export function resourceEntry(resource: ApiResource): Record<string, unknown> {
  return { ...resource };
}

/** Profile, groups, attributes and disabled; never a password or a hash. */
export function userEntry(user: User): Record<string, unknown> {
  return withoutUndefined({
    username: user.username,
    email: user.email,
    ...user.profile,
    groups: user.groups.length > 0 ? user.groups : undefined,
    attributes: Object.keys(user.attributes).length > 0 ? user.attributes : undefined,
    disabled: user.disabled ? true : undefined,
  });
}

/** What an exported connection says about the secret that stands in for its own. */
export interface ConnectionExport {
  entry: Record<string, unknown>;
  /** The comment above the entry, when its secret was replaced by a placeholder. */
  note: string | undefined;
}

/**
 * An upstream's client secret is what Gatehouse presents to the upstream, so a placeholder can
 * only make its sign-ins fail there (Test connection says so); the file's schema needs a value.
 */
export const upstreamSecretPlaceholder = 'LEFT-OUT-OF-THE-EXPORT-put-the-client-secret-the-upstream-gave-here';

/**
 * A partner's HMAC secret verifies its tokens: a value anyone who reads the file knows would let
 * them sign users in. It stands in as a random value (64 bytes, enough for every HS algorithm),
 * and the connection is exported disabled until the operator puts the partner's secret in.
 */
function partnerSecretPlaceholder(): string {
  return `LEFT-OUT-${randomBytes(64).toString('base64url')}`;
}

export function connectionEntry(connection: Connection): ConnectionExport {
  if (connection.type === 'oidc') {
    const metadata = 'discoveryUrl' in connection.metadata
      ? { discovery_url: connection.metadata.discoveryUrl }
      : {
          issuer: connection.metadata.endpoints.issuer,
          authorization_endpoint: connection.metadata.endpoints.authorizationEndpoint,
          token_endpoint: connection.metadata.endpoints.tokenEndpoint,
          userinfo_endpoint: connection.metadata.endpoints.userinfoEndpoint,
          jwks_uri: connection.metadata.endpoints.jwksUri,
          end_session_endpoint: connection.metadata.endpoints.endSessionEndpoint,
        };
    return {
      entry: withoutUndefined({
        id: connection.id, name: connection.name, type: 'oidc', ...metadata,
        client_id: connection.clientId,
        client_secret: upstreamSecretPlaceholder,
        token_endpoint_auth_method: connection.tokenEndpointAuthMethod,
        scopes: connection.scopes,
        username_claim: connection.usernameClaim,
        provisioning: connection.provisioning,
        update_profile: connection.updateProfile,
        groups_claim: connection.groupsClaim,
        email_domains: connection.emailDomains.length > 0 ? connection.emailDomains : undefined,
        forward_login_hint: connection.forwardLoginHint,
        enabled: connection.enabled,
      }),
      note: `client_secret was left out: put the client secret the upstream gave for client_id "${connection.clientId}" in place of the placeholder.`,
    };
  }
  const { key } = connection;
  const hmac = 'secret' in key;
  const keyField = hmac ? { secret: partnerSecretPlaceholder() } : 'publicKey' in key ? { public_key: key.publicKey } : { jwks_uri: key.jwksUri };
  return {
    entry: withoutUndefined({
      id: connection.id, name: connection.name, type: 'jwt',
      sign_in_url: connection.signInUrl,
      ...keyField,
      algorithms: connection.algorithms,
      issuer: connection.issuer,
      audience: connection.audience,
      require_jti: connection.requireJti,
      max_token_age_seconds: connection.maxTokenAgeSeconds,
      clock_skew_seconds: connection.clockSkewSeconds,
      provisioning: connection.provisioning,
      enabled: hmac ? false : connection.enabled,
    }),
    note: hmac
      ? `secret was left out and stands in as a random placeholder: put the secret shared with the partner in its place${connection.enabled ? ', then set enabled: true (it is enabled in the database exported)' : ''}.`
      : undefined,
  };
}

/** The global policy as `mfa:` states it: both fields, so that the file says the whole setting. */
export function mfaEntry(settings: MfaSettings): Record<string, unknown> {
  return { policy: settings.policy, require_for_administrators: settings.requireForAdministrators };
}

/** What an exported `email:` section says about the password it lacks. */
export interface EmailExport {
  entry: Record<string, unknown>;
  /** The comment above the section, when the stored settings have a password. */
  note: string | undefined;
}

/**
 * The SMTP settings as `email:` states them. The password is stored sealed and the file has no
 * way to name one without stating it, so it is left out and the note says so: the section states
 * the whole setting, so a start with it as it is would apply the settings without a password.
 */
export function emailEntry(smtp: NonNullable<EmailSettings['smtp']>): EmailExport {
  return {
    entry: withoutUndefined({
      host: smtp.host,
      port: smtp.port,
      tls: smtp.tls,
      allow_insecure: smtp.allowInsecure ? true : undefined,
      user: smtp.user ?? undefined,
      from: withoutUndefined({ address: smtp.from.address, name: smtp.from.name ?? undefined }),
    }),
    note: smtp.hasPassword
      ? `password was left out: add password: with the SMTP password of user "${smtp.user}" before starting with this file, or the mail server is used without one.`
      : undefined,
  };
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}
