import { z } from 'zod';
import { defaults } from './defaults.js';

const positiveSeconds = z.number().int().positive();

/** The `security:` section of the configuration file; every field falls back to its default. */
export const securitySettingsSchema = z
  .object({
    lockout_threshold: z.number().int().min(1).max(1000).default(defaults.security.lockoutThreshold),
    lockout_window_seconds: positiveSeconds.default(defaults.security.lockoutWindowSeconds),
    lockout_base_seconds: positiveSeconds.default(defaults.security.lockoutBaseSeconds),
    lockout_max_seconds: positiveSeconds.default(defaults.security.lockoutMaxSeconds),
    ip_threshold: z.number().int().min(1).max(100000).default(defaults.security.ipThreshold),
    ip_window_seconds: positiveSeconds.default(defaults.security.ipWindowSeconds),
    ip_max_block_seconds: positiveSeconds.default(defaults.security.ipMaxBlockSeconds),
    password_min_length: z.number().int().min(8).max(256).default(defaults.security.passwordMinLength),
    password_max_length: z.number().int().min(8).max(4096).default(defaults.security.passwordMaxLength),
  })
  .strict()
  .refine((s) => s.lockout_base_seconds <= s.lockout_max_seconds, {
    message: 'lockout_base_seconds must not exceed lockout_max_seconds',
    path: ['lockout_base_seconds'],
  })
  .refine((s) => s.ip_window_seconds <= s.ip_max_block_seconds, {
    // The first block of an address lasts one window, so the longest block cannot be shorter.
    message: 'ip_window_seconds must not exceed ip_max_block_seconds',
    path: ['ip_window_seconds'],
  })
  .refine((s) => s.password_min_length <= s.password_max_length, {
    message: 'password_min_length must not exceed password_max_length',
    path: ['password_min_length'],
  });

export interface SecuritySettings {
  lockoutThreshold: number;
  lockoutWindowSeconds: number;
  lockoutBaseSeconds: number;
  lockoutMaxSeconds: number;
  ipThreshold: number;
  ipWindowSeconds: number;
  ipMaxBlockSeconds: number;
  passwordMinLength: number;
  passwordMaxLength: number;
}

export function toSecuritySettings(parsed: z.output<typeof securitySettingsSchema>): SecuritySettings {
  return {
    lockoutThreshold: parsed.lockout_threshold,
    lockoutWindowSeconds: parsed.lockout_window_seconds,
    lockoutBaseSeconds: parsed.lockout_base_seconds,
    lockoutMaxSeconds: parsed.lockout_max_seconds,
    ipThreshold: parsed.ip_threshold,
    ipWindowSeconds: parsed.ip_window_seconds,
    ipMaxBlockSeconds: parsed.ip_max_block_seconds,
    passwordMinLength: parsed.password_min_length,
    passwordMaxLength: parsed.password_max_length,
  };
}

export const defaultSecuritySettings: SecuritySettings = { ...defaults.security };
