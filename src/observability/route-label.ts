import type { FastifyRequest } from 'fastify';
import { defaults } from '../config/defaults.js';

/**
 * The engine's endpoints under the mount, at oidc-provider's default `routes` (Gatehouse sets
 * none; README "Endpoints"), and its discovery document. None carries an id; every other path
 * under the mount does (the authorization resume path carries the interaction's uid) and shares
 * one label.
 */
const engineEndpoints = new Set([
  '/auth', '/token', '/me', '/jwks', '/token/introspection', '/token/revocation', '/request',
  '/session/end', '/session/end/confirm', '/session/end/success', '/.well-known/openid-configuration',
]);

/**
 * What a request's metrics are labelled with: the route's pattern (`/api/v1/users/:id`), never
 * the URL, which carries ids, codes and tokens and would make a series per request. Under /oidc,
 * where one route hands everything to the engine, the endpoint it names when it is one of the
 * engine's fixed ones. A request no route took is `unmatched`.
 */
export function routeLabel(request: FastifyRequest): string {
  const pattern = request.routeOptions.url;
  if (pattern === undefined) return 'unmatched';
  const mount = defaults.oidcMountPath;
  if (pattern !== `${mount}/*`) return pattern;
  const path = (request.raw as { originalUrl?: string }).originalUrl ?? request.url;
  const endpoint = path.split('?')[0]!.slice(mount.length);
  return engineEndpoints.has(endpoint) ? `${mount}${endpoint}` : pattern;
}
