import { z } from 'zod';
import { defaults } from '../config/defaults.js';

/** URL-safe and case-free, since it names the connection in its URLs (`/login/oidc/{id}/callback`). */
export const connectionId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use 1 to 64 lower-case letters, digits, - or _, starting with a letter or digit');

/** Absolute and without a fragment; whether https is required depends on GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS, checked by the service. */
export const upstreamUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute https URL' })
  .refine((value) => !value.includes('#'), 'must not contain a fragment')
  // Credentials in a URL would travel to every log line, message and audit event that names it.
  .refine((value) => !URL.canParse(value) || (!new URL(value).username && !new URL(value).password), 'must not carry a user name or password');

const discoverySuffix = '/.well-known/openid-configuration';

/** OpenID Connect Discovery §4: the document is at the issuer plus this suffix, which is how the expected issuer is known. */
const discoveryUrl = upstreamUrl.refine(
  (value) => {
    // Zod runs refinements after a failed check too; that one has said what is wrong already.
    const url = URL.canParse(value) ? new URL(value) : undefined;
    return !url || (url.pathname.endsWith(discoverySuffix) && !url.search);
  },
  `must be the issuer's discovery document: the issuer followed by ${discoverySuffix} (e.g. https://example.okta.com${discoverySuffix})`,
);

const claimName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$/, 'must be a claim name (letters, digits, _ . : -)');
const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be a scope name');

/** Written as a list or as one space-separated string, the way the upstream's console shows them. */
const scopes = z
  .union([z.string().transform((value) => value.split(' ').filter(Boolean)), z.array(z.string())])
  .pipe(z.array(scopeToken).nonempty('name at least openid'))
  .refine((list) => list.includes('openid'), 'must include openid: without it the upstream sends no id_token')
  .refine((list) => new Set(list).size === list.length, 'names a scope twice');

const domainName = z
  .string()
  .transform((value) => value.trim().toLowerCase().replace(/\.$/, ''))
  .pipe(z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a domain name such as example.com'));

/** The endpoints Raysync's form asks for, as the alternative to a discovery URL. */
const manualFields = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint'] as const;
const requiredManualFields = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;

const oidcConnectionObject = z
  .object({
    id: connectionId,
    name: z.string().trim().min(1, 'must not be empty').max(100),
    type: z.literal('oidc', { error: 'must be "oidc" (an OpenID Connect provider)' }),
    discovery_url: discoveryUrl.optional(),
    issuer: upstreamUrl.refine((value) => !URL.canParse(value) || !new URL(value).search, 'must not contain a query').optional(),
    authorization_endpoint: upstreamUrl.optional(),
    token_endpoint: upstreamUrl.optional(),
    userinfo_endpoint: upstreamUrl.optional(),
    jwks_uri: upstreamUrl.optional(),
    end_session_endpoint: upstreamUrl.optional(),
    client_id: z.string().min(1, 'must not be empty').max(500),
    client_secret: z.string().min(1, 'must not be empty').max(2000),
    token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post']).default(defaults.connections.tokenEndpointAuthMethod),
    scopes: scopes.default(() => [...defaults.connections.scopes]),
    username_claim: claimName.default(defaults.connections.usernameClaim),
    provisioning: z.enum(['create', 'existing_users_only']).default(defaults.connections.provisioning),
    update_profile: z.enum(['on_login', 'never']).default(defaults.connections.updateProfile),
    groups_claim: claimName.optional(),
    email_domains: z.array(domainName).default([]).refine((list) => new Set(list).size === list.length, 'names a domain twice'),
    forward_login_hint: z.boolean().default(defaults.connections.forwardLoginHint),
    trust_upstream_mfa: z.boolean().default(defaults.connections.trustUpstreamMfa),
    enabled: z.boolean().default(defaults.connections.enabled),
  })
  .strict();

/**
 * An upstream OpenID Connect provider as an administrator declares it (docs/configuration.md):
 * its metadata comes from `discovery_url` or from the endpoints typed in, never both.
 */
export const oidcConnectionInputSchema = oidcConnectionObject.superRefine((connection, issues) => {
  const given = manualFields.filter((field) => connection[field] !== undefined);
  if (connection.discovery_url !== undefined) {
    for (const field of given) {
      issues.addIssue({ code: 'custom', path: [field], message: 'give either discovery_url or the endpoints (issuer, authorization_endpoint, token_endpoint, jwks_uri, …), not both' });
    }
    return;
  }
  if (given.length === 0) {
    issues.addIssue({ code: 'custom', path: ['discovery_url'], message: 'give discovery_url, or the endpoints issuer, authorization_endpoint, token_endpoint and jwks_uri' });
    return;
  }
  for (const field of requiredManualFields) {
    if (connection[field] === undefined) issues.addIssue({ code: 'custom', path: [field], message: 'is required with the endpoints typed in (when there is no discovery_url)' });
  }
});

export type OidcConnectionDeclaration = z.output<typeof oidcConnectionInputSchema>;

/** What the `settings` column holds: everything of the type's own, without the common columns and the secret. */
export type OidcConnectionSettings = Omit<OidcConnectionDeclaration, 'id' | 'name' | 'type' | 'enabled' | 'client_secret'>;

/** The settings as stored, checked again on the way out: a row edited by hand fails here, naming the field, not deep in a sign-in. */
export const oidcConnectionSettingsSchema = oidcConnectionObject.omit({ id: true, name: true, type: true, enabled: true, client_secret: true });

/** The issuer a discovery URL promises: the URL without the suffix. */
export function issuerOfDiscoveryUrl(value: string): string {
  return value.slice(0, -discoverySuffix.length);
}

/**
 * Whether a discovery document's issuer is the one its URL promised. Issuers differ in a
 * trailing slash (Okta's has none, Auth0's has one) while the document sits at the same place,
 * so one slash, and what URL parsing normalizes (case of the host), make no difference here; the
 * id_token's `iss` is then compared with the document's own value exactly.
 */
export function sameIssuer(expected: string, actual: string): boolean {
  const normalized = (value: string) => {
    try {
      return new URL(value).href.replace(/\/$/, '');
    } catch {
      return value;
    }
  };
  return normalized(expected) === normalized(actual);
}
