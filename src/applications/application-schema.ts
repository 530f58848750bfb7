import { z } from 'zod';
import { applicationBrandingSchema } from '../branding/application-branding-schema.js';
import { applicationMfaPolicies } from '../mfa/mfa-requirement.js';
import { defaults } from '../config/defaults.js';

export const grantTypes = ['authorization_code', 'implicit', 'refresh_token', 'client_credentials', 'password'] as const;
export const responseTypes = [
  'code',
  'id_token',
  'id_token token',
  'code id_token',
  'code token',
  'code id_token token',
] as const;
export const tokenEndpointAuthMethods = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
] as const;
export const idTokenSigningAlgs = ['RS256', 'ES256', 'EdDSA', 'HS256'] as const;

const clientIdPattern = /^[A-Za-z0-9._~-]{1,128}$/;

const absoluteUrl = z.string().url().refine((value) => !value.includes('#'), 'must not contain a fragment');

const scopeName = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be a scope name');

/** Which grant a response type needs: `code` is redeemed with authorization_code, tokens from the front channel are implicit. */
function grantsFor(responseType: (typeof responseTypes)[number]): Array<(typeof grantTypes)[number]> {
  const parts = responseType.split(' ');
  const needed: Array<(typeof grantTypes)[number]> = [];
  if (parts.includes('code')) needed.push('authorization_code');
  if (parts.includes('id_token') || parts.includes('token')) needed.push('implicit');
  return needed;
}

/**
 * An application (OIDC client) as an administrator declares it, using the client metadata
 * names of OpenID Connect Dynamic Client Registration / RFC 7591.
 */
export const applicationObjectSchema = z
  .object({
    client_id: z.string().regex(clientIdPattern, 'use 1 to 128 letters, digits or . _ ~ -'),
    client_secret: z.string().min(32, 'must be at least 32 characters').max(512).optional(),
    client_name: z.string().min(1).max(200).optional(),
    redirect_uris: z.array(absoluteUrl).default([]),
    post_logout_redirect_uris: z.array(absoluteUrl).default([]),
    grant_types: z.array(z.enum(grantTypes)).nonempty().default(() => [...defaults.newApplication.grant_types]),
    /** Defaults to the new application's (`code`) when it has the authorization_code grant, to none otherwise. */
    response_types: z.array(z.enum(responseTypes)).optional(),
    token_endpoint_auth_method: z.enum(tokenEndpointAuthMethods).default(defaults.newApplication.token_endpoint_auth_method),
    id_token_signed_response_alg: z.enum(idTokenSigningAlgs).default(defaults.newApplication.id_token_signed_response_alg),
    scope: z
      .string()
      .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'must be space-separated scope names')
      .optional(),
    /**
     * Gatehouse extension: scopes whose claims the id_token carries as well. Without it an
     * id_token that comes with an access token carries only `sub` and the authentication
     * facts, and the claims are fetched from userinfo (OpenID Connect Core §5.4). Which scopes
     * it may name is checked with the engine's client validation (src/oidc/client-metadata.ts),
     * which knows the custom scopes.
     */
    id_token_claims_scopes: z.array(scopeName).nonempty().optional(),
    /** Gatehouse extension: the second factor the application demands (docs/mfa.md); absent is `inherit`, the global policy. */
    mfa: z.enum(applicationMfaPolicies).optional(),
    /** Gatehouse extension: a sign-in completes only for a user whose email address is verified (docs/account.md). */
    require_verified_email: z.boolean().optional(),
    /** Gatehouse extension: the sign-in pages' look while they serve this application (docs/management-api.md#branding); absent is the global branding. */
    branding: applicationBrandingSchema.optional(),
    logo_uri: absoluteUrl.optional(),
    application_type: z.enum(['web', 'native']).default('web'),
    jwks_uri: absoluteUrl.optional(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).nonempty() }).optional(),
  })
  .strict();

/**
 * The engine silently adds or drops grant types to match the response types; an
 * application gets exactly the modes its declaration names, so a mismatch is refused instead.
 */
export function withApplicationRules<Fields extends ApplicationRuleFields>(fields: z.ZodType<Fields>) {
  return fields
    .transform((application) => ({
      ...application,
      response_types: application.response_types
        ?? (application.grant_types.includes('authorization_code') ? [...defaults.newApplication.response_types] : []),
    }))
    .superRefine((application, issues) => {
      const grants = new Set<string>(application.grant_types);
      for (const responseType of application.response_types) {
        for (const grant of grantsFor(responseType)) {
          if (!grants.has(grant)) {
            issues.addIssue({ code: 'custom', path: ['grant_types'], message: `response type "${responseType}" needs the "${grant}" grant type` });
          }
        }
      }
      for (const grant of ['authorization_code', 'implicit'] as const) {
        if (grants.has(grant) && !application.response_types.some((type) => grantsFor(type).includes(grant))) {
          issues.addIssue({
            code: 'custom',
            path: ['response_types'],
            message: grant === 'authorization_code'
              ? 'the "authorization_code" grant type needs a response type with "code"'
              : 'the "implicit" grant type needs a response type with "id_token" or "token"',
          });
        }
      }
      if (grants.has('client_credentials') && application.token_endpoint_auth_method === 'none') {
        issues.addIssue({ code: 'custom', path: ['token_endpoint_auth_method'], message: 'the "client_credentials" grant type needs a client authentication method other than "none"' });
      }
      if (application.token_endpoint_auth_method === 'private_key_jwt' && !application.jwks && !application.jwks_uri) {
        issues.addIssue({ code: 'custom', path: ['token_endpoint_auth_method'], message: '"private_key_jwt" needs the application\'s public keys in "jwks" or "jwks_uri"' });
      }
      if (application.jwks && application.jwks_uri) {
        issues.addIssue({ code: 'custom', path: ['jwks'], message: 'give either "jwks" or "jwks_uri", not both' });
      }
    });
}

/** The fields the rules read: every application schema has them, whatever else it leaves out. */
type ApplicationRuleFields = Pick<z.output<typeof applicationObjectSchema>, 'grant_types' | 'response_types' | 'token_endpoint_auth_method' | 'jwks' | 'jwks_uri'>;

export const applicationInputSchema = withApplicationRules(applicationObjectSchema);

export type ApplicationDeclaration = z.output<typeof applicationInputSchema>;

/** Client metadata as stored and handed to oidc-provider (the secret kept apart, encrypted). */
export type ApplicationMetadata = Omit<ApplicationDeclaration, 'client_secret'>;

/** Auth methods that authenticate with the shared secret, so the application needs one. */
export function needsSecret(metadata: Pick<ApplicationMetadata, 'token_endpoint_auth_method' | 'id_token_signed_response_alg'>): boolean {
  return (
    metadata.token_endpoint_auth_method === 'client_secret_basic' ||
    metadata.token_endpoint_auth_method === 'client_secret_post' ||
    metadata.token_endpoint_auth_method === 'client_secret_jwt' ||
    metadata.id_token_signed_response_alg === 'HS256'
  );
}
