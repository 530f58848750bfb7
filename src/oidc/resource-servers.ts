import type { ApiResource } from '../resources/resource-service.js';
import { errors, type Configuration } from './engine.js';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

/** Every scope an API resource offers, once each: the engine must know them for applications to name them in `scope`. */
export function resourceScopeNames(resources: readonly ApiResource[]): string[] {
  return [...new Set(resources.flatMap((resource) => resource.scopes.map((scope) => scope.name)))];
}

/**
 * An API's scope names that are not also OpenID Connect scopes (standard or custom): the engine
 * must know them so that an application's `scope` may name them, but they belong in a token for
 * their API only, never in one for userinfo.
 */
export function apiOnlyScopeNames(resources: readonly ApiResource[], oidcScopes: readonly string[]): Set<string> {
  const oidc = new Set(oidcScopes);
  return new Set(resourceScopeNames(resources).filter((name) => !oidc.has(name)));
}

/** The request's `scope` without an API's scopes: what a request naming no API may be given. */
function dropApiScopes(ctx: { oidc: { params?: Record<string, unknown> } }, apiOnly: ReadonlySet<string>): void {
  const params = ctx.oidc.params;
  if (!params || typeof params.scope !== 'string') return;
  const kept = params.scope.split(' ').filter((name) => !apiOnly.has(name));
  params.scope = kept.length > 0 ? kept.join(' ') : undefined;
}

/**
 * RFC 8707 resource indicators over the stored API resources. A request that names no
 * `resource` gets what it got before resources existed: an opaque access token for userinfo,
 * with no API's scope in it. One that names a known resource gets a token for it alone (its
 * `aud`), in the resource's format, signed with the active key of its algorithm, living its
 * lifetime; an unknown one is `invalid_target`, and so is an API none of whose scopes an
 * application limited by `scope` may have.
 */
export function resourceIndicators(resources: readonly ApiResource[], oidcScopes: readonly string[]): ResourceIndicators {
  const byIdentifier = new Map(resources.map((resource) => [resource.identifier, resource]));
  const apiOnly = apiOnlyScopeNames(resources, oidcScopes);
  return {
    enabled: true,
    defaultResource(ctx, _client, oneOf) {
      // One resource per access token (RFC 8707 §2.2 lets the server choose): when several were granted, the engine asks which.
      if (oneOf) return oneOf.length === 1 ? oneOf[0] : oneOf;
      // A request naming no API (authorization, client credentials): an API's scope is dropped, as an unknown one is.
      dropApiScopes(ctx as unknown as { oidc: { params?: Record<string, unknown> } }, apiOnly);
      return undefined;
    },
    // The authorization request named the API: its code's token is for it without naming it again at the token endpoint.
    useGrantedResource: () => true,
    getResourceServerInfo(_ctx, identifier, client) {
      const resource = byIdentifier.get(identifier);
      if (!resource) throw new errors.InvalidTarget(`"${identifier}" is not an API resource of this server`);
      // The engine checks an application's `scope` only against the scopes it was configured with; an API's are held to it here whatever that list holds.
      const allowed = client.scope ? new Set(client.scope.split(' ')) : undefined;
      const scopes = resource.scopes.map((scope) => scope.name).filter((name) => !allowed || allowed.has(name));
      if (allowed && scopes.length === 0) {
        throw new errors.InvalidTarget(`application "${client.clientId}" may have none of the scopes of "${identifier}"`);
      }
      return {
        scope: scopes.join(' '),
        audience: resource.identifier,
        accessTokenFormat: resource.access_token_format,
        accessTokenTTL: resource.access_token_ttl_seconds,
        jwt: { sign: { alg: resource.signing_alg } },
      };
    },
  };
}

/**
 * The API resources each engine was built with, for the pages it serves (the consent page names
 * an API's scopes). Kept per engine because the interaction pages are handed the engine alone,
 * and so that what a page describes always matches the engine answering it, across a rebuild.
 */
const builtWith = new WeakMap<object, ReadonlyMap<string, ApiResource>>();

export function rememberResources(engine: object, resources: readonly ApiResource[]): void {
  builtWith.set(engine, new Map(resources.map((resource) => [resource.identifier, resource])));
}
/**
 * What the consent page says for an API's scopes the user has not granted yet: each described
 * with its API's name, so that the person sees which API an application asks to use.
 */
export function describeResourceScopes(engine: object, missing: Record<string, readonly string[]>): Array<{ name: string; description: string }> {
  const resources = builtWith.get(engine);
  return Object.entries(missing).flatMap(([identifier, names]) => {
    const resource = resources?.get(identifier);
    const label = resource?.name ?? identifier;
    return names.map((name) => ({ name, description: `${label}: ${resource?.scopes.find((scope) => scope.name === name)?.description ?? name}` }));
  });
}
