import { createHash } from 'node:crypto';
import {
  allowInsecureRequests, ClientError, ClientSecretBasic, ClientSecretPost, Configuration, customFetch, discovery, enableNonRepudiationChecks,
  ResponseBodyError, WWWAuthenticateChallengeError, type ServerMetadata,
} from 'openid-client';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';
import { plainHttpRefusal, upstreamUrlProblem } from '../outbound/address-policy.js';
import type { Outbound, SafeFetch } from '../outbound/safe-fetch.js';
import type { Clock } from '../runtime/clock.js';
import { issuerOfDiscoveryUrl, sameIssuer } from './connection-schema.js';
import type { OidcConnection } from './connection.js';

/** How refusals and failures name a connection. */
export const requesterOf = (connection: Pick<OidcConnection, 'id'>) => `connection "${connection.id}"`;

export interface Upstreams {
  /** Whether upstreams may be on private addresses (GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS). */
  readonly allowPrivate: boolean;
  /**
   * The openid-client Configuration to sign in through: its metadata read (discovery) or built
   * (manual endpoints) through the safe fetch, its issuer and endpoints checked, cached for a
   * bounded time and never past a change of the connection. Failures are GatehouseErrors
   * (`upstream_failed`, `upstream_address_refused`) naming the connection.
   */
  configuration(connection: OidcConnection): Promise<Configuration>;
  /** The Configuration freshly read, unchecked and uncached: Test connection checks each step itself. */
  load(connection: OidcConnection): Promise<Configuration>;
  /** The safe fetch for a connection's own requests, its refusals naming the connection. */
  fetchFor(connection: Pick<OidcConnection, 'id'>): SafeFetch;
  close(): Promise<void>;
}

/** Where the endpoints a sign-in uses break the URL rules of docs/configuration.md; empty when they do not. */
export function endpointProblems(metadata: ServerMetadata, allowPrivate: boolean): string[] {
  const problems: string[] = [];
  const endpoints = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint'] as const;
  for (const field of endpoints) {
    const value = metadata[field];
    if (value === undefined) {
      if (field === 'authorization_endpoint' || field === 'token_endpoint' || field === 'jwks_uri') problems.push(`${field}: missing`);
      continue;
    }
    const problem = typeof value === 'string' ? upstreamUrlProblem(value, allowPrivate) : 'is not a URL';
    if (problem) problems.push(`${field}: ${problem}`);
  }
  return problems;
}

/** Why the metadata's issuer is not the one the connection expects, or undefined when it is. */
export function issuerProblem(connection: OidcConnection, metadata: ServerMetadata): string | undefined {
  if (!('discoveryUrl' in connection.metadata)) return undefined;
  const expected = issuerOfDiscoveryUrl(connection.metadata.discoveryUrl);
  if (sameIssuer(expected, metadata.issuer)) return undefined;
  return `the discovery document names the issuer "${metadata.issuer}", but its URL belongs to the issuer "${expected}"`;
}

/**
 * A failure talking to an upstream as a GatehouseError naming the connection. openid-client wraps
 * what the safe fetch throws ("something went wrong"), so the cause chain is searched for it
 * first; the upstream's own OAuth errors keep their code and description.
 */
export function asUpstreamError(connection: Pick<OidcConnection, 'id'>, error: unknown): GatehouseError {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (isGatehouseError(cause)) return cause;
  }
  const name = requesterOf(connection);
  if ((error as { code?: unknown })?.code === 'OAUTH_HTTP_REQUEST_FORBIDDEN') {
    // openid-client's own refusal of http, before the safe fetch is asked; the URL is its cause, or its cause's.
    const inner = (error as Error).cause;
    const url = inner instanceof URL ? inner : (inner as { cause?: unknown } | undefined)?.cause;
    return new GatehouseError('upstream_address_refused', `${name}: ${url instanceof URL ? url.host : 'the upstream'}: ${plainHttpRefusal}`, { cause: error });
  }
  if (error instanceof ResponseBodyError) {
    const description = error.error_description ? `: ${error.error_description}` : '';
    return new GatehouseError('upstream_failed', `${name}: the upstream answered ${error.error}${description} (HTTP ${error.status})`, { cause: error });
  }
  if (error instanceof WWWAuthenticateChallengeError) {
    return new GatehouseError('upstream_failed', `${name}: the upstream refused the request (HTTP ${error.status})`, { cause: error });
  }
  if (error instanceof ClientError && error.cause instanceof Response) {
    return new GatehouseError('upstream_failed', `${name}: the upstream answered with HTTP ${error.cause.status}, which is not what OpenID Connect expects there (${error.message})`, { cause: error });
  }
  return new GatehouseError('upstream_failed', `${name}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

interface CacheEntry {
  fingerprint: string;
  expiresAt: number;
  configuration: Promise<Configuration>;
}

/**
 * The upstream side of connections over one outbound policy. The cache holds one entry per
 * connection, keyed by a fingerprint of every setting (endpoints, client, secret), so a changed
 * connection is read again at once; an entry lives `cacheSeconds`.
 *
 * JWKS: openid-client (oauth4webapi) caches a key set per Configuration itself, for at most five
 * minutes, and when an id_token's kid matches no cached key it fetches the set again once it is
 * a minute old; a rotation at the upstream is picked up within a minute and a flood of unknown
 * kids costs one fetch a minute. A new Configuration (a changed connection, or after
 * `cacheSeconds`) starts with no keys.
 */
export function createUpstreams({ outbound, clock, cacheSeconds }: { outbound: Outbound; clock: Clock; cacheSeconds: number }): Upstreams {
  const cache = new Map<string, CacheEntry>();
  const allowPrivate = outbound.policy.allowPrivate;
  const timeout = Math.ceil(outbound.policy.timeoutMilliseconds / 1000);
  const fetchFor = (connection: Pick<OidcConnection, 'id'>) => outbound.fetchFor(requesterOf(connection));

  async function load(connection: OidcConnection): Promise<Configuration> {
    const fetch = fetchFor(connection);
    const auth = connection.tokenEndpointAuthMethod === 'client_secret_post' ? ClientSecretPost(connection.clientSecret) : ClientSecretBasic(connection.clientSecret);
    // openid-client refuses http by itself; the safe fetch allows it only to private addresses, and only with the setting.
    const execute = allowPrivate ? [allowInsecureRequests] : [];
    try {
      if ('discoveryUrl' in connection.metadata) {
        return await discovery(new URL(connection.metadata.discoveryUrl), connection.clientId, undefined, auth, { [customFetch]: fetch, execute, timeout });
      }
      const { endpoints } = connection.metadata;
      const configuration = new Configuration(
        {
          issuer: endpoints.issuer,
          authorization_endpoint: endpoints.authorizationEndpoint,
          token_endpoint: endpoints.tokenEndpoint,
          jwks_uri: endpoints.jwksUri,
          ...(endpoints.userinfoEndpoint ? { userinfo_endpoint: endpoints.userinfoEndpoint } : {}),
          ...(endpoints.endSessionEndpoint ? { end_session_endpoint: endpoints.endSessionEndpoint } : {}),
        },
        connection.clientId,
        undefined,
        auth,
      );
      configuration[customFetch] = fetch;
      configuration.timeout = timeout;
      for (const extension of execute) extension(configuration);
      return configuration;
    } catch (error) {
      throw asUpstreamError(connection, error);
    }
  }

  async function checked(connection: OidcConnection): Promise<Configuration> {
    const configuration = await load(connection);
    // openid-client trusts TLS for an id_token from the token endpoint (OpenID Connect Core
    // §3.1.3.7 allows it) and skips its signature unless told; Gatehouse checks it against the JWKS.
    enableNonRepudiationChecks(configuration);
    const metadata = configuration.serverMetadata();
    const problems = [issuerProblem(connection, metadata), ...endpointProblems(metadata, allowPrivate)].filter((problem) => problem !== undefined);
    if (problems.length > 0) throw new GatehouseError('upstream_failed', `${requesterOf(connection)}: ${problems.join('; ')}`);
    return configuration;
  }

  return {
    allowPrivate,
    load,
    fetchFor,
    configuration(connection) {
      const now = clock.now();
      for (const [id, entry] of cache) if (entry.expiresAt <= now) cache.delete(id);
      const fingerprint = createHash('sha256').update(JSON.stringify(connection)).digest('base64url');
      const cached = cache.get(connection.id);
      if (cached?.fingerprint === fingerprint) return cached.configuration;
      const entry: CacheEntry = { fingerprint, expiresAt: now + cacheSeconds * 1000, configuration: checked(connection) };
      // A failure is not kept: the next sign-in tries again.
      entry.configuration.catch(() => {
        if (cache.get(connection.id) === entry) cache.delete(connection.id);
      });
      cache.set(connection.id, entry);
      return entry.configuration;
    },
    close: () => outbound.close(),
  };
}
