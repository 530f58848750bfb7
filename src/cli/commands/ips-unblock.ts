import ipaddr from 'ipaddr.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { AddressUnblock } from '../../protection/sign-in-protection.js';
import type { Command } from './command.js';

/** What was forgotten, in the words of docs/security.md: the sign-in throttle and each application's counter. */
function describe({ address, identities, clients }: AddressUnblock): string[] {
  const parts: string[] = [];
  if (address || identities > 0) {
    parts.push(identities > 0 ? `its failed sign-ins (${identities} ${identities === 1 ? 'identity' : 'identities'})` : 'its failed sign-ins');
  }
  if (clients.length > 0) {
    const names = clients.map((clientId) => (clientId === undefined ? 'unknown client_ids' : `"${clientId}"`)).sort();
    parts.push(`its failed client authentications (${names.join(', ')})`);
  }
  return parts;
}

export const ipsUnblock: Command = {
  words: ['ips', 'unblock'],
  arguments: ['<address>'],
  summary: 'lift the sign-in and client authentication throttles on a client address (an IPv6 address lifts its /64)',
  async run([address], context, io) {
    if (!ipaddr.isValid(address!)) throw new GatehouseError('invalid_request', `"${address}" is not an IP address`);
    const cleared = describe(await context.services.protection.unblockAddress(context.actor, address!));
    io.stdout.write(cleared.length > 0 ? `unblocked ${address}: forgot ${cleared.join(' and ')}\n` : `${address} was not throttled\n`);
  },
};
