import ipaddr from 'ipaddr.js';
import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../runtime/clock.js';
import { createAttemptLimiter, type Admission, type LimitPolicy } from './attempt-limiter.js';

/**
 * The counter a client address counts against. An IPv4 address counts alone (also when it
 * arrives IPv4-mapped); an IPv6 address counts with its /64, the smallest block a single
 * subscriber is usually given, so rotating through one's own /64 does not escape the throttle.
 */
export function ipKey(address: string): string {
  if (!ipaddr.isValid(address)) return `ip:${address}`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === 'ipv4') return `ip:${parsed.toString()}`;
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `ip:${prefix.join(':')}::/64`;
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

/** Throttling of failed sign-ins and client authentications per client address. */
export function createIpThrottle({ db, clock, settings }: { db: Db; clock: Clock; settings: SecuritySettings }) {
  const limiter = createAttemptLimiter({ db, clock, policy: ipPolicy(settings) });
  return {
    /** Counts an attempt from the address before its credential is checked; refused (429) while the address is throttled. */
    admit: (address: string): Promise<Admission> => limiter.admit(ipKey(address)),
    /** Seconds the address stays blocked, or undefined; counts nothing. */
    blockedFor: (address: string): Promise<number | undefined> => limiter.blockedFor(ipKey(address)),
    /** Counts a failed client authentication after the fact. */
    recordFailure: (address: string): Promise<void> => limiter.recordFailure(ipKey(address)),
    /** Lifts a block at once (gatehouse ips unblock); true when there was anything to lift. */
    unblock: (address: string): Promise<boolean> => limiter.clear(ipKey(address)),
  };
}

export type IpThrottle = ReturnType<typeof createIpThrottle>;
