import type { ChangeLog } from '../audit/change-log.js';
import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import { createAccountLockout, type AccountLockout } from './account-lockout.js';
import { createClientAuthLimits, type ClientAuthLimits } from './client-auth-limits.js';
import { createIpAllowlist } from './ip-allowlist.js';
import { createIpThrottle, type IpThrottle, type SignInUnblock } from './ip-throttle.js';

/** What `gatehouse ips unblock` cleared for an address. */
export interface AddressUnblock extends SignInUnblock {
  /** The applications whose counters at the address were forgotten; undefined stands for unknown client_ids. */
  clients: Array<string | undefined>;
}

/** Everything that slows down password guessing and failing clients; its state lives in the database, shared by every instance. */
export interface SignInProtection {
  accounts: AccountLockout;
  /** Failed sign-ins per address, counted as distinct identities. */
  ips: IpThrottle;
  /** Failed client authentications per application and address. */
  clients: ClientAuthLimits;
  /** Clears every counter of an address: its sign-in throttle, its identities and its client authentications; recorded when it cleared any. */
  unblockAddress(actor: Actor, address: string): Promise<AddressUnblock>;
}

export function createSignInProtection(deps: { db: Db; clock: Clock; settings: SecuritySettings; changes: ChangeLog }): SignInProtection {
  const allowlisted = createIpAllowlist(deps.settings.ipAllowlist);
  const ips = createIpThrottle({ ...deps, allowlisted });
  const clients = createClientAuthLimits({ ...deps, allowlisted });
  return {
    accounts: createAccountLockout(deps),
    ips,
    clients,
    unblockAddress: (actor, address) =>
      // What is cleared and its event in one transaction, over the transaction's handle: either both are stored or neither.
      inTransaction(deps.db, async (trx) => {
        const over = { ...deps, db: trx, allowlisted };
        const signIn = await createIpThrottle(over).unblock(address);
        const cleared = await createClientAuthLimits(over).unblock(address);
        if (signIn.address || signIn.identities > 0 || cleared.length > 0) {
          await deps.changes.record(trx, [{
            type: 'address.unblocked', actor, subject: { clientAddress: address },
            details: { sign_in_block: signIn.address, identities: signIn.identities, clients: cleared.map((clientId) => clientId ?? null) },
          }]);
        }
        return { ...signIn, clients: cleared };
      }),
  };
}
