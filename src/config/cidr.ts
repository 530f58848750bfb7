import ipaddr from 'ipaddr.js';

/** A CIDR range in the textual form proxy-addr (behind Fastify's trustProxy) accepts. */
export type Cidr = string;

/** Parses a comma-separated list of addresses or CIDR ranges; a bare address is a /32 or /128. */
export function parseCidrList(value: string): Cidr[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      if (entry.includes('/')) {
        try {
          const [address, bits] = ipaddr.parseCIDR(entry);
          return `${address.toString()}/${bits}`;
        } catch {
          throw new Error(`"${entry}" is not a valid CIDR range`);
        }
      }
      if (!ipaddr.isValid(entry)) throw new Error(`"${entry}" is not a valid IP address`);
      const address = ipaddr.parse(entry);
      return `${address.toString()}/${address.kind() === 'ipv4' ? 32 : 128}`;
    });
}
