import { z } from 'zod';
import { oidcConnectionInputSchema, type OidcConnectionDeclaration } from './connection-schema.js';
import { jwtConnectionInputSchema, type JwtConnectionDeclaration } from './jwt-connection-schema.js';

/** A connection as an administrator declares it: an upstream OpenID Connect provider or a partner signing JWTs. */
export const connectionInputSchema = z.discriminatedUnion('type', [oidcConnectionInputSchema, jwtConnectionInputSchema], {
  error: 'must be "oidc" (an OpenID Connect provider) or "jwt" (a partner that signs users in with a JWT)',
});

export type ConnectionDeclaration = OidcConnectionDeclaration | JwtConnectionDeclaration;

/** The email domains a declaration claims for home-realm discovery; a partner's connection claims none. */
export const emailDomainsOf = (declaration: ConnectionDeclaration): string[] => (declaration.type === 'oidc' ? declaration.email_domains : []);
