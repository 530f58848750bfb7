import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where an address leads, for outbound requests (upstream identity providers, partners' JWKS):
 * - `public`: the internet; always allowed.
 * - `private`: this machine or its networks (loopback, RFC 1918, carrier-grade NAT, IPv6
 *   unique-local): reached only with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true, for an identity
 *   provider inside the company network.
 * - `never`: no identity provider is there, so no setting allows it: unspecified (0.0.0.0 and ::
 *   reach this machine), broadcast, multicast, link-local (169.254.169.254 is the cloud
 *   metadata service), documentation, benchmarking and other reserved ranges, and IPv6 ranges
 *   that tunnel to an IPv4 address not written in them (6to4, Teredo, NAT64 local use).
 */
export type AddressKind = 'public' | 'private' | 'never';

/** Why a plain http URL is refused, wherever it is: the configured URL, the safe fetch, openid-client's own check. */
export const plainHttpRefusal = 'plain http is allowed only to private addresses, with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true';

const privateRanges = new Set(['loopback', 'private', 'carrierGradeNat', 'uniqueLocal']);

/** Plain-language names of the ranges, for refusals an administrator reads. */
const rangeNames: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  carrierGradeNat: 'a carrier-grade NAT address',
  uniqueLocal: 'a private (unique-local) address',
  linkLocal: 'a link-local address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/** The address itself, with an IPv4 address written in IPv6 form (::ffff:a.b.c.d, NAT64's 64:ff9b::/96) judged as that IPv4 address. */
function effective(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const parsed = ipaddr.parse(address.replace(/%.*$/, ''));
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const range = v6.range();
    if (range === 'ipv4Mapped' || range === 'rfc6145') return v6.toIPv4Address();
    if (range === 'rfc6052' && v6.parts[2] === 0) return ipaddr.fromByteArray(v6.toByteArray().slice(12));
  }
  return parsed;
}

export function classifyAddress(address: string): { kind: AddressKind; description: string } {
  const range = effective(address).range();
  if (range === 'unicast') return { kind: 'public', description: 'a public address' };
  return { kind: privateRanges.has(range) ? 'private' : 'never', description: rangeNames[range] ?? `a reserved address (${range})` };
}

/** Why an outbound request may not go to this address, or undefined when it may. */
export function addressRefusal(address: string, { allowPrivate, plainHttp }: { allowPrivate: boolean; plainHttp: boolean }): string | undefined {
  const { kind, description } = classifyAddress(address);
  if (kind === 'never') return `${address} is ${description}, where no identity provider can be`;
  if (kind === 'private' && !allowPrivate) {
    return `${address} is ${description}; Gatehouse reaches private and loopback addresses only with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true`;
  }
  if (kind === 'public' && plainHttp) return `${address} is ${description}, and plain http is allowed only to private addresses: use https`;
  return undefined;
}

/**
 * What is wrong with an upstream URL as configured, before anything is fetched: it must be an
 * absolute https URL; plain http only with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true, for hosts
 * that resolve to private addresses (checked again at each request, after DNS resolution).
 */
export function upstreamUrlProblem(value: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an absolute URL`;
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not contain a fragment';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  if (url.protocol === 'http:' && !allowPrivate) {
    return `must use https (${plainHttpRefusal})`;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return addressRefusal(host, { allowPrivate, plainHttp: url.protocol === 'http:' });
  return undefined;
}
