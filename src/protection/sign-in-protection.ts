import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../runtime/clock.js';
import { createAccountLockout, type AccountLockout } from './account-lockout.js';
import { createIpThrottle, type IpThrottle } from './ip-throttle.js';

/** Everything that slows down password guessing; its state lives in the database, shared by every instance. */
export interface SignInProtection {
  accounts: AccountLockout;
  ips: IpThrottle;
}

export function createSignInProtection(deps: { db: Db; clock: Clock; settings: SecuritySettings }): SignInProtection {
  return { accounts: createAccountLockout(deps), ips: createIpThrottle(deps) };
}
