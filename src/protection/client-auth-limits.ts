import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import { createAttemptCounterQueries } from '../db/queries/attempt-counters.js';
import type { Clock } from '../runtime/clock.js';
import { createAttemptLimiter, holdsSomething, type LimitPolicy } from './attempt-limiter.js';
import type { IpAllowlist } from './ip-allowlist.js';
import { ipKey } from './ip-throttle.js';

/** The start of every client-authentication counter of an address. */
function clientAuthPrefix(address: string): string {
  return `client:${ipKey(address)}:`;
}

/** What follows the prefix of the counter that every client_id naming no application shares. */
const unknownClient = 'unknown';

/**
 * The counter of one application's authentications from one address, or (clientId undefined)
 * the one that every client_id naming no application shares at that address, so that made-up
 * ids add no rows. A client_id has none of `=` and `:`, so no application's key is the unknown one.
 */
export function clientAuthKey(address: string, clientId: string | undefined): string {
  return `${clientAuthPrefix(address)}${clientId === undefined ? unknownClient : `id=${clientId}`}`;
}

export function clientAuthPolicy(settings: SecuritySettings): LimitPolicy {
  return {
    threshold: settings.clientAuthThreshold,
    windowSeconds: settings.clientAuthWindowSeconds,
    baseBlockSeconds: settings.clientAuthWindowSeconds,
    maxBlockSeconds: settings.clientAuthMaxBlockSeconds,
  };
}

/**
 * Throttling of failed client authentications (token, introspection, revocation, pushed
 * authorization requests) per application and client address: a misconfigured application is
 * stopped from that address alone, and neither the login page nor any other application notices.
 * Allow-listed addresses are not counted.
 */
export function createClientAuthLimits({ db, clock, settings, allowlisted }: { db: Db; clock: Clock; settings: SecuritySettings; allowlisted: IpAllowlist }) {
  const limiter = createAttemptLimiter({ db, clock, policy: clientAuthPolicy(settings) });
  const counters = createAttemptCounterQueries(db);
  return {
    /** Seconds the application (undefined: an unknown client_id) stays blocked at the address, or undefined; one read. */
    blockedFor: (address: string, clientId: string | undefined): Promise<number | undefined> =>
      allowlisted(address) ? Promise.resolve(undefined) : limiter.blockedFor(clientAuthKey(address, clientId)),
    /** Counts a failed authentication after the fact; the one that reaches the threshold blocks. */
    recordFailure: async (address: string, clientId: string | undefined): Promise<void> => {
      if (!allowlisted(address)) await limiter.recordFailure(clientAuthKey(address, clientId));
    },
    /** Forgets every application's counter at the address (gatehouse ips unblock): the client_ids whose failures or block it lifted, undefined for unknown ones. */
    async unblock(address: string): Promise<Array<string | undefined>> {
      const prefix = clientAuthPrefix(address);
      const now = clock.now();
      const held = (await counters.removeByPrefix(prefix)).filter((row) => holdsSomething(row, now));
      return held.map((row) => row.key.slice(prefix.length)).map((rest) => (rest === unknownClient ? undefined : rest.slice('id='.length)));
    },
  };
}

export type ClientAuthLimits = ReturnType<typeof createClientAuthLimits>;
