import type { ApiResource } from '../resources/resource-service.js';
import { errors, type Configuration } from './engine.js';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

/** Every scope an API resource offers, once each: the engine must know them for applications to name them in `scope`. */
export function resourceScopeNames(resources: readonly ApiResource[]): string[] {
  return [...new Set(resources.flatMap((resource) => resource.scopes.map((scope) => scope.name)))];
}

/**
 * RFC 8707 resource indicators over the stored API resources. A request that names no
 * `resource` gets what it got before resources existed: an opaque access token for userinfo.
 * One that names a known resource gets a token for it alone (its `aud`), in the resource's
 * format, signed with the active key of its algorithm, living its lifetime; an unknown one is
 * `invalid_target`.
 */
export function resourceIndicators(resources: readonly ApiResource[]): ResourceIndicators {
  const byIdentifier = new Map(resources.map((resource) => [resource.identifier, resource]));
  return {
    enabled: true,
    // One resource per access token (RFC 8707 §2.2 lets the server choose): when several were granted, the engine asks which.
    defaultResource: (_ctx, _client, oneOf) => (oneOf?.length === 1 ? oneOf[0] : oneOf),
    // The authorization request named the API: its code's token is for it without naming it again at the token endpoint.
    useGrantedResource: () => true,
    getResourceServerInfo(_ctx, identifier, client) {
      const resource = byIdentifier.get(identifier);
      if (!resource) throw new errors.InvalidTarget(`"${identifier}" is not an API resource of this server`);
      // The engine checks an application's `scope` only against the scopes it was configured with; an API's are held to it here whatever that list holds.
      const allowed = client.scope ? new Set(client.scope.split(' ')) : undefined;
      const scopes = resource.scopes.map((scope) => scope.name).filter((name) => !allowed || allowed.has(name));
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
