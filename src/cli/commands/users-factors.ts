import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { FactorSummary } from '../../mfa/factors.js';
import type { User } from '../../users/user.js';
import type { CliContext } from '../cli-context.js';
import type { Command } from './command.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The user a factor command names: by user name or email as the other commands, or by the id the API and console show. */
async function findUserOrId(context: CliContext, identifier: string): Promise<User> {
  const user = (await context.services.users.findByIdentifier(identifier)) ?? (await context.services.users.findById(identifier));
  if (!user) throw new GatehouseError('user_not_found', `no user "${identifier}"`);
  return user;
}

/** One factor, tab-separated: id, type, name, created, last used, and what else there is to know. */
export function factorLine(factor: FactorSummary): string {
  const more = factor.remaining !== undefined ? `${factor.remaining} remaining`
    : factor.deviceType !== undefined ? `${factor.deviceType}${factor.backedUp ? ', backed up' : ''}`
      : '-';
  return [factor.id, factor.type, factor.name, iso(factor.createdAt), factor.lastUsedAt === null ? '-' : iso(factor.lastUsedAt), more].join('\t');
}

const userHelp = { '<user>': 'the user name or email, in any spelling, or the user\'s id' };

export const usersFactorsList: Command = {
  words: ['users', 'factors', 'list'],
  arguments: ['<user>'],
  argumentHelp: userHelp,
  summary: 'list a user\'s second factors: the authenticator app, each passkey, the recovery codes',
  details: 'One factor per line, tab-separated: its id (totp, recovery-codes, or a passkey\'s credential id: what users factors '
    + 'remove takes), type (totp, passkey, recovery_codes), name, created and last used (ISO 8601, UTC; - when never), and '
    + 'for recovery codes how many remain, for a passkey whether it syncs (multiDevice) and is backed up. An app still '
    + 'being set up is not listed. No secret or code is ever shown.',
  examples: ['gatehouse users factors list alice'],
  async run([identifier], context, io) {
    const user = await findUserOrId(context, identifier!);
    const factors = await context.services.mfa.factors.list(user.id);
    if (factors.length === 0) io.stdout.write(`"${user.username}" has no second factor\n`);
    for (const factor of factors) io.stdout.write(`${factorLine(factor)}\n`);
  },
};

export const usersFactorsRemove: Command = {
  words: ['users', 'factors', 'remove'],
  arguments: ['<user>', '<factor>'],
  argumentHelp: { ...userHelp, '<factor>': 'totp, recovery-codes, or a passkey\'s id, as users factors list shows them' },
  summary: 'remove one of a user\'s second factors (a lost phone or key); the last app or passkey takes the recovery codes with it',
  details: 'The user then signs in without it: with another factor, or, when none is left, with the password alone unless '
    + 'the MFA policy requires a second factor, in which case the next sign-in sets one up. Recovery codes only recover a '
    + 'second factor, so removing the last app or passkey voids them too. Recorded in the audit log as mfa.factor_removed.',
  examples: ['gatehouse users factors remove alice totp', 'gatehouse users factors remove alice recovery-codes'],
  async run([identifier, factorId], context, io) {
    const user = await findUserOrId(context, identifier!);
    const { factors } = context.services.mfa;
    const factor = (await factors.list(user.id)).find((candidate) => candidate.id === factorId);
    if (!factor) throw new GatehouseError('not_found', `"${user.username}" has no second factor "${factorId}": gatehouse users factors list ${identifier} shows them`);
    await factors.remove(context.actor, user.id, factor.id);
    const what = factor.type === 'passkey' ? `the passkey "${factor.name}"` : factor.type === 'totp' ? 'the authenticator app' : 'the recovery codes';
    io.stdout.write(`removed ${what} of "${user.username}"\n`);
    const left = await factors.enrolled(user.id);
    if (factor.type !== 'recovery_codes' && !left.totp && left.passkeys === 0) io.stdout.write(`"${user.username}" has no second factor left (nor recovery codes)\n`);
  },
};
