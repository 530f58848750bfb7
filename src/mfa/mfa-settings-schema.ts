import { z } from 'zod';
import { defaults } from '../config/defaults.js';

/**
 * The global policy:
 * - `off`: no second factor is asked for unless an application or `acr_values` demands one;
 * - `optional`: users who set up a factor are asked for it at every sign-in;
 * - `required`: everyone must have one, and a user without is sent to set one up first.
 */
export const mfaPolicies = ['off', 'optional', 'required'] as const;

export type MfaPolicy = (typeof mfaPolicies)[number];

const policy = z.enum(mfaPolicies).describe('off, optional or required (docs/mfa.md).');
const requireForAdministrators = z.boolean().nullable()
  .describe('Whether members of gatehouse-admins must use a second factor; null: automatic, required once any enabled administrator has one.');

/** A change through the API: each field given replaces its value, each left out keeps it. */
export const mfaSettingsChangeSchema = z.object({ policy: policy.optional(), require_for_administrators: requireForAdministrators.optional() }).strict();

export type MfaSettingsChange = z.infer<typeof mfaSettingsChangeSchema>;

/**
 * The configuration file's `mfa:` section: what it says is the whole setting, so a field left
 * out is the default (optional; automatic for administrators), not what the database had.
 */
export const mfaDeclarationSchema = z.object({ policy: policy.default(defaults.mfa.policy), require_for_administrators: requireForAdministrators.default(null) }).strict();

export type MfaDeclaration = z.infer<typeof mfaDeclarationSchema>;
