import type { ChangeLog } from '../audit/change-log.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../runtime/clock.js';
import { createFactorService } from './factors.js';
import { createMfaSettingsService } from './mfa-settings.js';
import { createRecoveryCodeService } from './recovery-codes.js';
import { createTotpService } from './totp.js';

export interface MfaServiceDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  changes: ChangeLog;
}

export type MfaServices = ReturnType<typeof createMfaServices>;

/** Second factors and the MFA policy over one database handle (a transaction's too). */
export function createMfaServices({ db, box, clock, changes }: MfaServiceDeps) {
  return {
    totp: createTotpService({ db, box, clock, changes }),
    recoveryCodes: createRecoveryCodeService({ db, box, clock, changes }),
    factors: createFactorService({ db, changes }),
    settings: createMfaSettingsService({ db, clock, changes }),
  };
}
