import type { CliIo } from '../cli-io.js';
import type { KeyChange, KeySummary } from '../../keys/key-service.js';
import type { Command } from './command.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** One key, tab-separated: kid, purpose, status, created, status changed, its next step. Public parts only. */
export function keyLine(key: KeySummary): string {
  const step = key.activatesAt !== undefined ? `activates at ${iso(key.activatesAt)}`
    : key.removedAt !== undefined ? `removed at ${iso(key.removedAt)}`
      : '-';
  return [key.kid, key.purpose, key.status, iso(key.createdAt), iso(key.statusChangedAt), step].join('\t');
}

/** The rotation steps that were due and that this command applied before doing its own work. */
export function reportApplied(changes: KeyChange[], io: CliIo): void {
  for (const { kid, purpose, change } of changes) io.stdout.write(`due rotation step applied now: ${purpose} key ${kid} ${change}\n`);
}

export const keysList: Command = {
  words: ['keys', 'list'],
  arguments: [],
  summary: 'list the signing and cookie keys: kid, purpose, status, and when a waiting key activates or a retired one is removed',
  details: 'One key per line, tab-separated: kid, purpose (signing:RS256, signing:ES256, signing:EdDSA, or cookie), status '
    + '(active: signs; next: published and accepted, signs from its activation; retired: published and accepted, no longer '
    + 'signs), created, status changed (both ISO 8601, UTC), and the next step: "activates at <time>", "removed at <time>", '
    + 'or - for an active key. No private part of any key is ever shown.\n\n'
    + 'Rotation steps that are due are applied first (as every running instance does each minute), and printed before the list.',
  examples: ['gatehouse keys list'],
  async run(_args, context, io) {
    reportApplied(await context.services.keys.advanceRotations(context.actor), io);
    for (const key of await context.services.keys.list()) io.stdout.write(`${keyLine(key)}\n`);
  },
};
