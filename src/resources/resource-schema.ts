import { z } from 'zod';
import { defaults } from '../config/defaults.js';
import { signingAlgorithms } from '../keys/new-keys.js';
import { isStandardScope } from '../scopes/standard-scopes.js';

export const accessTokenFormats = ['jwt', 'opaque'] as const;
export type AccessTokenFormat = (typeof accessTokenFormats)[number];

/** Parses as an absolute URI with no fragment, as RFC 8707 §2 requires of a resource indicator; a URN is one too. */
function isResourceIndicator(value: string): boolean {
  if (value.includes('#') || /\s/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const notAResourceIndicator = 'must be an absolute URI without a fragment (https://api.example.com, urn:example:orders)';

/** The pattern tells the OpenAPI document's readers the shape (a scheme, no spaces, no fragment); parsing it decides. */
const identifier = z
  .string()
  .max(1000)
  .regex(/^[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+$/, { message: notAResourceIndicator, abort: true })
  .refine(isResourceIndicator, notAResourceIndicator);

/** A scope token (RFC 6749 §3.3); OpenID Connect's and Gatehouse's own names mean something else and stay theirs. */
const resourceScopeName = z
  .string()
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'must be a scope name: 1 to 100 printable characters, no spaces, quotes or backslashes')
  .refine((name) => !isStandardScope(name), 'is a standard scope (openid, profile, email, offline_access, …) and cannot be an API\'s');

const resourceScope = z.object({ name: resourceScopeName, description: z.string().min(1).max(300) }).strict();

/** An API resource as an administrator declares it (Logto's and Authing's "API resources"). */
export const resourceObjectSchema = z
  .object({
    identifier,
    name: z.string().min(1).max(100),
    scopes: z
      .array(resourceScope)
      .max(100)
      .default([])
      .superRefine((scopes, ctx) => {
        const seen = new Set<string>();
        for (const [index, scope] of scopes.entries()) {
          if (seen.has(scope.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${scope.name}" is listed twice` });
          seen.add(scope.name);
        }
      }),
    access_token_format: z.enum(accessTokenFormats).default(defaults.resources.accessTokenFormat),
    signing_alg: z.enum(signingAlgorithms).default(defaults.resources.signingAlg),
    access_token_ttl_seconds: z
      .number()
      .int()
      .min(defaults.resources.minAccessTokenTtlSeconds)
      .max(defaults.resources.maxAccessTokenTtlSeconds)
      .default(defaults.resources.accessTokenTtlSeconds),
  })
  .strict();

export const resourceInputSchema = resourceObjectSchema;

export type ResourceDeclaration = z.output<typeof resourceInputSchema>;
