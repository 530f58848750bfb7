import { z } from 'zod';

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

/**
 * An application (OIDC client) as an administrator declares it, using the client metadata
 * names of OpenID Connect Dynamic Client Registration / RFC 7591.
 */
export const applicationInputSchema = z
  .object({
    client_id: z.string().regex(clientIdPattern, 'use 1 to 128 letters, digits or . _ ~ -'),
    client_secret: z.string().min(32, 'must be at least 32 characters').max(512).optional(),
    client_name: z.string().min(1).max(200).optional(),
    redirect_uris: z.array(absoluteUrl).default([]),
    post_logout_redirect_uris: z.array(absoluteUrl).default([]),
    grant_types: z.array(z.enum(grantTypes)).nonempty().default(['authorization_code']),
    response_types: z.array(z.enum(responseTypes)).default(['code']),
    token_endpoint_auth_method: z.enum(tokenEndpointAuthMethods).default('client_secret_basic'),
    id_token_signed_response_alg: z.enum(idTokenSigningAlgs).default('RS256'),
    scope: z
      .string()
      .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'must be space-separated scope names')
      .optional(),
    logo_uri: absoluteUrl.optional(),
    application_type: z.enum(['web', 'native']).default('web'),
    jwks_uri: absoluteUrl.optional(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).nonempty() }).optional(),
  })
  .strict();

export type ApplicationInput = z.input<typeof applicationInputSchema>;
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
