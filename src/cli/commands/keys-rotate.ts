import { defaults } from '../../config/defaults.js';
import type { Command } from './command.js';
import { keyLine, reportApplied } from './keys-list.js';

const hours = (seconds: number) => `${Math.round(seconds / 3600)} h`;

export const keysRotate: Command = {
  words: ['keys', 'rotate'],
  arguments: [],
  options: [{ name: 'now', description: 'for a compromised key: the new keys sign at once and every other key is removed at once (its cost is above)' }],
  summary: 'start a rotation of the signing keys and the cookie key: new keys are published first and sign once every relying party can have them',
  details: `A new signing key per algorithm (RS256, ES256, EdDSA) and a new cookie key are stored as "next": published in `
    + `the JWKS and accepted, not yet signing. After ${hours(defaults.keys.publishBeforeUseSeconds)} `
    + '(defaults.keys.publishBeforeUseSeconds) they become active on every instance, within a minute, and the keys they '
    + 'replace are retired: still published and accepted until nothing they signed can be presented any more, then removed. '
    + 'A relying party that caches the JWKS for less than that never meets an unknown kid. A rotation under way is refused; '
    + '"gatehouse keys list" shows when it completes.\n\n'
    + 'With --now the new keys sign within about a second on every instance and every earlier key is removed at once: '
    + 'id_tokens signed before no longer verify, relying parties must fetch the JWKS again for the new kid (most '
    + 'libraries do on an unknown kid), an RP-initiated logout with an earlier id_token_hint is refused, and every '
    + 'browser session and sign-in under way ends (people sign in again). Use it when a key has leaked, not otherwise. '
    + 'The master secret that seals the keys is separate: rotating keys does not change it (docs/operations.md).',
  examples: ['gatehouse keys rotate', 'gatehouse keys rotate --now'],
  async run(_args, context, io, options) {
    const now = options.now === true;
    const rotation = await context.services.keys.rotate(context.actor, { immediately: now });
    reportApplied(rotation.applied, io);
    if (now) {
      io.stdout.write('keys replaced at once: the new keys sign on every instance within about a second\n');
      for (const key of rotation.stored) io.stdout.write(`${keyLine(key)}\n`);
      io.stdout.write(`removed at once (no longer published or accepted): ${rotation.removed.map((key) => key.kid).join(', ')}\n`);
      io.stdout.write('relying parties that cached the JWKS fetch it again for the new kid; sessions and tokens signed with the removed keys no longer verify\n');
      return;
    }
    const activation = rotation.stored[0]?.activatesAt;
    io.stdout.write(`rotation started: the new keys are published now and sign from ${activation === undefined ? '-' : new Date(activation).toISOString()}\n`);
    for (const key of rotation.stored) io.stdout.write(`${keyLine(key)}\n`);
  },
};
