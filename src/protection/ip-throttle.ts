import ipaddr from 'ipaddr.js';
import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import { createAddressIdentityQueries, type AddressIdentityRow } from '../db/queries/address-identities.js';
import { createAttemptCounterQueries } from '../db/queries/attempt-counters.js';
import type { Clock } from '../runtime/clock.js';
import { createAttemptLimiter, holdsSomething, settleOnce, type LimitPolicy } from './attempt-limiter.js';
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

/** The start of the key of every identity row of an address (in address_identities). */
function identityPrefix(address: string): string {
  return `identity:${ipKey(address)}:`;
}

/** The row that tells whether an identity (an accountKey) already failed from this address in the current window, and where that counted. */
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

/** A sign-in attempt counted at a client address, before its password is checked; settle it once. */
export interface AddressAttempt {
  /** The sign-in failed: the identity stays counted at the address, once, and the failure that reaches the threshold blocks the address. */
  fail(): Promise<void>;
  /**
   * The password was right (call it for nothing else): gives back what this attempt counted and
   * the identity's earlier count at the address, and forgets the identity there, so that its next
   * mistake counts again.
   */
  signedIn(): Promise<void>;
}

export type AddressAdmission = { admitted: true; attempt: AddressAttempt } | { admitted: false; retryAfterSeconds: number };

const nothingCounted: AddressAttempt = { fail: async () => {}, signedIn: async () => {} };

/** Whether an identity row still counts for its address: attempts in its window, or a count in the address counter. */
function identityHoldsSomething(row: AddressIdentityRow, now: number): boolean {
  return row.expires_at > now && (row.failures > 0 || row.counted_window_started_at !== null);
}

/**
 * Throttling of failed sign-ins per client address that counts password spraying, not typing
 * mistakes: the address counter counts the distinct identities that failed from it within the
 * window and did not sign in since, so one person mistyping five times is one (the account
 * lockout limits the guesses per account), and someone who mistypes and then signs in is none.
 *
 * Each identity has a row per address (in address_identities), counted with one statement.
 * Only the attempt that makes that row's first attempt of its window counts against the
 * address, before its password is checked, so at most `ipThreshold` identities per window
 * reach a password check, also when they all arrive at once. When that attempt fails, the
 * identity row records the address counter's state it was counted into (window start and lock
 * count); if the row already records a count in that state, or is gone, the attempt gives its own
 * count back, so an identity counts once. A right password gives back what its own attempt
 * counted and takes the identity row with one statement (a delete that returns it), then gives
 * back the count the row recorded, if the address counter is still in that state: each count is
 * given back at most once, only by a right password for that identity, and never after the window
 * it was counted in has closed or a block has begun. Sprayed identities almost never sign in, so
 * they stay counted. Allow-listed addresses are not counted.
 */
export function createIpThrottle({ db, clock, settings, allowlisted }: { db: Db; clock: Clock; settings: SecuritySettings; allowlisted: IpAllowlist }) {
  const policy = ipPolicy(settings);
  const limiter = createAttemptLimiter({ db, clock, policy });
  const counters = createAttemptCounterQueries(db);
  const identities = createAddressIdentityQueries(db);
  const windowMs = policy.windowSeconds * 1000;

  /** Counts the identity's attempt at its row. */
  function countIdentity(key: string): Promise<AddressIdentityRow> {
    const now = clock.now();
    return identities.countIdentityAttempt({ key, now, windowEnd: now + windowMs, windowClosedIfStartedBy: now - windowMs });
  }

  /** After a right password: forgets the identity at the address and gives back the count it recorded there. */
  async function forgetIdentity(address: string, key: string): Promise<void> {
    const row = await identities.take(key);
    if (row?.counted_window_started_at != null && row.counted_lock_count != null) {
      await counters.giveBack({ key: ipKey(address), windowStartedAt: row.counted_window_started_at, lockCount: row.counted_lock_count });
    }
  }

  return {
    /** Seconds the address stays blocked, or undefined: one read, made before anything is counted. */
    blockedFor: (address: string): Promise<number | undefined> =>
      allowlisted(address) ? Promise.resolve(undefined) : limiter.blockedFor(ipKey(address)),

    /**
     * Counts a sign-in attempt for an identity (accountKey) from the address, before its password
     * is checked, once blockedFor found the address open. Refused (429) when this identity's first
     * attempt would exceed the address's allowance; the identity's count is given back then.
     */
    async admit(address: string, account: string): Promise<AddressAdmission> {
      if (allowlisted(address)) return { admitted: true, attempt: nothingCounted };
      const key = identityKey(address, account);
      const identity = await countIdentity(key);
      if (identity.failures !== 1) {
        return { admitted: true, attempt: settleOnce({ fail: async () => {}, signedIn: () => forgetIdentity(address, key) }) };
      }
      const admission = await limiter.admit(ipKey(address));
      if (!admission.admitted) {
        await identities.releaseIdentityAttempt({ key, windowStartedAt: identity.window_started_at });
        return admission;
      }
      const { attempt, counted } = admission;
      return {
        admitted: true,
        attempt: settleOnce({
          fail: async () => {
            const recorded = await identities.recordAddressCount(key, counted);
            await (recorded ? attempt.fail() : attempt.giveBack());
          },
          signedIn: () => Promise.all([attempt.giveBack(), forgetIdentity(address, key)]),
        }),
      };
    },

    /** Lifts a block at once and forgets the address's identities (gatehouse ips unblock). */
    async unblock(address: string): Promise<SignInUnblock> {
      const [row, forgotten] = await Promise.all([counters.take(ipKey(address)), identities.removeByPrefix(identityPrefix(address))]);
      const now = clock.now();
      return { address: row !== undefined && holdsSomething(row, now), identities: forgotten.filter((identity) => identityHoldsSomething(identity, now)).length };
    },
  };
}

export type IpThrottle = ReturnType<typeof createIpThrottle>;
