import ipaddr from 'ipaddr.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { Command } from './command.js';

export const ipsUnblock: Command = {
  words: ['ips', 'unblock'],
  arguments: ['<address>'],
  summary: 'lift the throttle on a client address (an IPv6 address lifts its /64)',
  async run([address], context, io) {
    if (!ipaddr.isValid(address!)) throw new GatehouseError('invalid_request', `"${address}" is not an IP address`);
    const lifted = await context.services.protection.ips.unblock(address!);
    io.stdout.write(lifted ? `unblocked ${address}: its failed attempts are forgotten\n` : `${address} was not throttled\n`);
  },
};
