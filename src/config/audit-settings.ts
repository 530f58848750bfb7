import { z } from 'zod';
import { defaults } from './defaults.js';

/** The `audit:` section of the configuration file; every field falls back to its default. */
export const auditSettingsSchema = z
  .object({
    // Ten years at most: the table is pruned by age only, so a longer retention is an unbounded one.
    retention_days: z.number().int().min(1).max(3650).default(defaults.audit.retentionDays),
  })
  .strict();

export interface AuditSettings {
  /** Events older than this many days are removed by the periodic sweep. */
  retentionDays: number;
}

export function toAuditSettings(parsed: z.output<typeof auditSettingsSchema>): AuditSettings {
  return { retentionDays: parsed.retention_days };
}

export const defaultAuditSettings: AuditSettings = { retentionDays: defaults.audit.retentionDays };
