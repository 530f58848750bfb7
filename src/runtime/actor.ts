import type { Owner } from '../db/database.js';
import { GatehouseError } from '../errors/gatehouse-error.js';

/**
 * Who a command acts for. Every change to users, applications, scopes, connections and keys
 * names one, so that ownership can be enforced and the audit log records who made it.
 * - `config_file`: applying the configuration file at start.
 * - `cli`: an operator at the `gatehouse` command, on the machine that holds the file.
 * - `api`: a caller of the management API (`client:<client_id>` or `user:<id>`): may not change what the file declares.
 * - `system`: Gatehouse itself (the first administrator, upgrading a password hash at sign-in).
 * - `user`: a person changing their own account (setting up or removing their second factors).
 */
export type Actor =
  | { kind: 'config_file'; file: string }
  | { kind: 'cli'; command: string }
  | { kind: 'api'; subject: string }
  | { kind: 'system'; reason: string }
  | { kind: 'user'; userId: string };

/** What a record created by this actor is owned by. */
export function ownerFor(actor: Actor): Owner {
  return actor.kind === 'config_file' ? 'config_file' : 'database';
}

/**
 * Refuses a change the next start would silently undo: a record the configuration file
 * declares is changed there. The operator's command line is trusted to know the file; callers
 * of the API are not.
 */
export function assertMayChange(actor: Actor, owner: Owner, what: string): void {
  if (owner === 'config_file' && actor.kind === 'api') {
    throw new GatehouseError('declared_in_config_file', `${what} is declared in the configuration file; change it there`);
  }
}
