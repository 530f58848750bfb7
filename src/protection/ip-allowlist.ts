import ipaddr from 'ipaddr.js';
import type { Cidr } from '../config/cidr.js';

/** Whether a client address is on `security.ip_allowlist`. */
export type IpAllowlist = (address: string) => boolean;

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it carries, as ipKey counts it. */
function unmapped(address: Parsed): Parsed {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

/** A range written in IPv4-mapped form (::ffff:10.0.0.0/104) is the IPv4 range it covers. */
function unmappedRange([address, bits]: [Parsed, number]): [Parsed, number] {
  const plain = unmapped(address);
  return plain === address || bits < 96 ? [address, bits] : [plain, bits - 96];
}

function inRange(address: Parsed, [range, bits]: [Parsed, number]): boolean {
  if (address.kind() !== range.kind()) return false;
  return address.kind() === 'ipv4'
    ? (address as ipaddr.IPv4).match(range as ipaddr.IPv4, bits)
    : (address as ipaddr.IPv6).match(range as ipaddr.IPv6, bits);
}

/**
 * The addresses the operator exempts from the address throttles (office egress, health
 * checkers, a load-testing host). The ranges were validated and normalized when the
 * configuration was read (security-settings.ts); an address that does not parse is on no list.
 */
export function createIpAllowlist(ranges: readonly Cidr[]): IpAllowlist {
  const parsed = ranges.map((range) => unmappedRange(ipaddr.parseCIDR(range)));
  return (address) => {
    if (parsed.length === 0 || !ipaddr.isValid(address)) return false;
    const client = unmapped(ipaddr.parse(address));
    return parsed.some((range) => inRange(client, range));
  };
}
