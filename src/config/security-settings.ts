import { z } from 'zod';
import { parseCidrList, type Cidr } from './cidr.js';
import { defaults } from './defaults.js';

const positiveSeconds = z.number().int().positive();

/** One address or CIDR range of the allow-list, normalized as GATEHOUSE_TRUSTED_PROXIES entries are. */
const allowlistEntry = z.string().transform((entry, ctx): Cidr => {
  try {
    const ranges = parseCidrList(entry);
    if (ranges.length === 1) return ranges[0]!;
    ctx.addIssue({ code: 'custom', message: `"${entry}": give one address or CIDR range per entry` });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
  return z.NEVER;
});

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
    ip_allowlist: z.array(allowlistEntry).default([...defaults.security.ipAllowlist]),
    client_auth_threshold: z.number().int().min(1).max(100000).default(defaults.security.clientAuthThreshold),
    client_auth_window_seconds: positiveSeconds.default(defaults.security.clientAuthWindowSeconds),
    client_auth_max_block_seconds: positiveSeconds.default(defaults.security.clientAuthMaxBlockSeconds),
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
  .refine((s) => s.client_auth_window_seconds <= s.client_auth_max_block_seconds, {
    // The same holds for an application's counter at an address.
    message: 'client_auth_window_seconds must not exceed client_auth_max_block_seconds',
    path: ['client_auth_window_seconds'],
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
  /** Distinct identities failing sign-in from one address per window. */
  ipThreshold: number;
  ipWindowSeconds: number;
  ipMaxBlockSeconds: number;
  /** Addresses exempt from the address throttles (sign-ins and client authentication), never from the account lockout. */
  ipAllowlist: readonly Cidr[];
  /** Failed authentications of one application from one address per window. */
  clientAuthThreshold: number;
  clientAuthWindowSeconds: number;
  clientAuthMaxBlockSeconds: number;
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
    ipAllowlist: parsed.ip_allowlist,
    clientAuthThreshold: parsed.client_auth_threshold,
    clientAuthWindowSeconds: parsed.client_auth_window_seconds,
    clientAuthMaxBlockSeconds: parsed.client_auth_max_block_seconds,
    passwordMinLength: parsed.password_min_length,
    passwordMaxLength: parsed.password_max_length,
  };
}

export const defaultSecuritySettings: SecuritySettings = { ...defaults.security };
