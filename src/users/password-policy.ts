import type { SecuritySettings } from '../config/security-settings.js';
import { GatehouseError } from '../errors/gatehouse-error.js';

/**
 * NIST SP 800-63B: length limits and nothing else yet; no composition rules.
 * Throws a password_policy error naming the rule the password broke.
 */
export function checkPasswordPolicy(password: string, settings: Pick<SecuritySettings, 'passwordMinLength' | 'passwordMaxLength'>): void {
  const length = [...password.normalize('NFKC')].length;
  if (length < settings.passwordMinLength) {
    throw new GatehouseError('password_policy', `the password must be at least ${settings.passwordMinLength} characters long`);
  }
  if (length > settings.passwordMaxLength) {
    throw new GatehouseError('password_policy', `the password must be at most ${settings.passwordMaxLength} characters long`);
  }
}
