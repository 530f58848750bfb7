import ipaddr from 'ipaddr.js';
import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import { createAttemptCounterQueries, type CountedAttempt } from '../db/queries/attempt-counters.js';
import type { Clock } from '../runtime/clock.js';
import { createAttemptLimiter, holdsSomething, type Admission, type LimitPolicy, type PendingAttempt } from './attempt-limiter.js';
import type { IpAllowlist } from './ip-allowlist.js';

/**
 * The counter a client address counts against. An IPv4 address counts alone (also when it
 * arrives IPv4-mapped); an IPv6 address counts with its /64, the smallest block a single
 * subscriber is usually given, so rotating through one's own /64 does not escape the throttle.
 * Every other key of an address (its identities, its client authentications) starts with this
 * one and a colon, so that `gatehouse ips unblock` finds them by prefix.
 */
export function ipKey(address: string): string {
  if (!ipaddr.isValid(address)) return `ip:${address}`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === 'ipv4') return `ip:${parsed.toString()}`;
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `ip:${prefix.join(':')}::/64`;
}

/** The start of every identity row of an address. */
function identityPrefix(address: string): string {
  return `identity:${ipKey(address)}:`;
}

/** The row that tells whether an identity (an accountKey) already failed from this address in the current window. */
export function identityKey(address: string, account: string): string {
  return `${identityPrefix(address)}${account}`;
}

export function ipPolicy(settings: SecuritySettings): LimitPolicy {
  return {
    threshold: settings.ipThreshold,
    windowSeconds: settings.ipWindowSeconds,
    // The first block lasts one window, then doubles: a persistent source slows down exponentially.
    baseBlockSeconds: settings.ipWindowSeconds,
    maxBlockSeconds: settings.ipMaxBlockSeconds,
  };
}

/** What `gatehouse ips unblock` cleared of the sign-in throttle. */
export interface SignInUnblock {
  /** The address counted failing identities in its window, or was blocked. */
  address: boolean;
  /** How many identities that failed from it in their window were forgotten. */
  identities: number;
}

const nothingCounted: PendingAttempt = { fail: async () => {}, giveBack: async () => {} };

/**
 * Throttling of failed sign-ins per client address that counts password spraying, not typing
 * mistakes: the address counter counts the distinct identities that failed from it within the
 * window, so one person mistyping five times is one (the account lockout limits the guesses per
 * account). Each identity has a row per address, counted with the same statement as every
 * counter; only the attempt that makes that row's first failure of its window counts against the
 * address, before its password is checked, so at most `ipThreshold` identities per window reach
 * a password check, also when they all arrive at once. A right password gives back what its own
 * attempt counted, the identity row's count included, but not what the identity's earlier
 * failures counted: an identity counts once per window however often it fails and signs in
 * (clearing its row instead would count it again at its next mistake). Allow-listed addresses
 * are not counted.
 */
export function createIpThrottle({ db, clock, settings, allowlisted }: { db: Db; clock: Clock; settings: SecuritySettings; allowlisted: IpAllowlist }) {
  const policy = ipPolicy(settings);
  const limiter = createAttemptLimiter({ db, clock, policy });
  const counters = createAttemptCounterQueries(db);
  const windowMs = policy.windowSeconds * 1000;

  /** Counts the identity's attempt at its row; true when it is the identity's first in the window. */
  async function countIdentity(key: string): Promise<{ first: boolean; counted: CountedAttempt }> {
    const now = clock.now();
    const row = await counters.countAttempt({ key, now, windowEnd: now + windowMs, windowClosedIfStartedBy: now - windowMs });
    return { first: row.failures === 1, counted: { key, windowStartedAt: row.window_started_at, lockCount: row.lock_count } };
  }

  /** Settled once, like every pending attempt: a failure keeps both counts, a success gives both back. */
  function settle(identity: CountedAttempt, address: PendingAttempt): PendingAttempt {
    let settled = false;
    const once = (work: () => Promise<unknown>) => async () => {
      if (settled) return;
      settled = true;
      await work();
    };
    return {
      fail: once(() => address.fail()),
      giveBack: once(() => Promise.all([address.giveBack(), counters.giveBack(identity)])),
    };
  }

  return {
    /** Seconds the address stays blocked, or undefined: one read, made before anything is counted. */
    blockedFor: (address: string): Promise<number | undefined> =>
      allowlisted(address) ? Promise.resolve(undefined) : limiter.blockedFor(ipKey(address)),

    /**
     * Counts a sign-in attempt for an identity (accountKey) from the address, before its password
     * is checked, once blockedFor found the address open. Refused (429) when this identity's first
     * failure would exceed the address's allowance; the identity's count is given back then.
     */
    async admit(address: string, account: string): Promise<Admission> {
      if (allowlisted(address)) return { admitted: true, attempt: nothingCounted };
      const identity = await countIdentity(identityKey(address, account));
      if (!identity.first) return { admitted: true, attempt: settle(identity.counted, nothingCounted) };
      const admission = await limiter.admit(ipKey(address));
      if (!admission.admitted) {
        await counters.giveBack(identity.counted);
        return admission;
      }
      return { admitted: true, attempt: settle(identity.counted, admission.attempt) };
    },

    /** Lifts a block at once and forgets the address's identities (gatehouse ips unblock). */
    async unblock(address: string): Promise<SignInUnblock> {
      const [row, identities] = await Promise.all([counters.take(ipKey(address)), counters.removeByPrefix(identityPrefix(address))]);
      const now = clock.now();
      return { address: row !== undefined && holdsSomething(row, now), identities: identities.filter((identity) => holdsSomething(identity, now)).length };
    },
  };
}

export type IpThrottle = ReturnType<typeof createIpThrottle>;
