import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { User } from '../../users/user.js';
import type { CliContext } from '../cli-context.js';

/** The user a command names, by user name or email, in any case or Unicode form, as sign-in finds it. */
export async function findUser(context: CliContext, identifier: string): Promise<User> {
  const user = await context.services.users.findByIdentifier(identifier);
  if (!user) throw new GatehouseError('user_not_found', `no user "${identifier}"`);
  return user;
}
