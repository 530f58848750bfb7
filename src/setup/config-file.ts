import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { applicationInputSchema } from '../applications/application-schema.js';
import { connectionInputSchema, emailDomainsOf, type ConnectionDeclaration } from '../connections/connection-declaration.js';
import { resourceInputSchema, type ResourceDeclaration } from '../resources/resource-schema.js';
import { scopeInputSchema } from '../scopes/scope-schema.js';
import { userInputSchema } from '../users/user-schema.js';
import { securitySettingsSchema, toSecuritySettings, defaultSecuritySettings, type SecuritySettings } from '../config/security-settings.js';
import { auditSettingsSchema, defaultAuditSettings, toAuditSettings, type AuditSettings } from '../config/audit-settings.js';
import { mfaDeclarationSchema, type MfaDeclaration } from '../mfa/mfa-settings-schema.js';
import { emailDeclarationSchema, type EmailDeclaration } from '../email/email-settings-schema.js';
import type { ApplicationDeclaration } from '../applications/application-schema.js';
import type { ScopeDeclaration } from '../scopes/scope-schema.js';
import type { UserDeclaration } from '../users/user-schema.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { normalizeIdentifier } from '../users/normalize.js';

const configFileSchema = z
  .object({
    applications: z.array(applicationInputSchema).default([]),
    users: z.array(userInputSchema).default([]),
    scopes: z.array(scopeInputSchema).default([]),
    resources: z.array(resourceInputSchema).default([]),
    connections: z.array(connectionInputSchema).default([]),
    security: securitySettingsSchema.prefault({}),
    audit: auditSettingsSchema.prefault({}),
    // No default: a file without `mfa:` leaves the policy to the API (and hands back one it declared before).
    mfa: mfaDeclarationSchema.optional(),
    // Likewise: without `email:` the SMTP settings are the API's.
    email: emailDeclarationSchema.optional(),
  })
  .strict();

/** What a configuration file declares, validated. */
export interface Declarations {
  applications: ApplicationDeclaration[];
  users: UserDeclaration[];
  scopes: ScopeDeclaration[];
  /** API resources (docs/api-resources.md). */
  resources: ResourceDeclaration[];
  connections: ConnectionDeclaration[];
  security: SecuritySettings;
  audit: AuditSettings;
  /** The MFA policy, when the file declares it (the file then owns it); absent, the database's. */
  mfa?: MfaDeclaration;
  /** The SMTP settings, when the file declares them (the file then owns them); absent, the database's. */
  email?: EmailDeclaration;
}

export const emptyDeclarations: Declarations = {
  applications: [], users: [], scopes: [], resources: [], connections: [], security: defaultSecuritySettings, audit: defaultAuditSettings,
};

/** The field each section's entries are known by, so that a message points at the right block. */
const entryLabels: Record<string, string> = { applications: 'client_id', users: 'username', scopes: 'name', resources: 'identifier', connections: 'id' };

/** Names the entry an issue is in by its identifying field, so a message points at the right block. */
function describePath(document: unknown, issuePath: PropertyKey[]): string {
  const parts: string[] = [];
  let node: unknown = document;
  for (const key of issuePath) {
    if (typeof key === 'number') {
      parts[parts.length - 1] += `[${key}]`;
      node = Array.isArray(node) ? node[key] : undefined;
      const labelField = parts.length === 1 ? entryLabels[parts[0]!.replace(/\[\d+\]$/, '')] : undefined;
      const label = labelField && node && typeof node === 'object' ? (node as Record<string, unknown>)[labelField] : undefined;
      if (typeof label === 'string') parts[parts.length - 1] += ` ("${label}")`;
    } else {
      parts.push(String(key));
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key as string] : undefined;
    }
  }
  return parts.join('.');
}

export function parseDeclarations(text: string, fileName: string): Declarations {
  let document: unknown;
  try {
    // Without prettyErrors the message carries no excerpt of the file, which could hold a secret.
    document = parseYaml(text, { prettyErrors: false, uniqueKeys: true }) ?? {};
  } catch (error) {
    throw new GatehouseError('config_invalid', `${fileName}: not valid YAML or JSON${positionOf(text, error)}: ${(error as Error).message}`);
  }
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new GatehouseError('config_invalid', `${fileName}: the top level must be a mapping (applications:, users:, scopes:, resources:, connections:, security:, audit:, mfa:, email:)`);
  }
  const parsed = configFileSchema.safeParse(document);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((issue) => {
      const problem = issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : issue.message;
      return `  ${describePath(document, issue.path) || '(top level)'}: ${problem}`;
    });
    throw new GatehouseError('config_invalid', `${fileName}: invalid configuration\n${lines.join('\n')}`);
  }
  const data = parsed.data;
  assertUnique(fileName, 'applications', data.applications.map((a) => a.client_id));
  assertUnique(fileName, 'scopes', data.scopes.map((s) => s.name));
  assertUnique(fileName, 'resources', data.resources.map((r) => r.identifier));
  assertUnique(fileName, 'users', data.users.map((u) => normalizeIdentifier(u.username)));
  assertUnique(fileName, 'connections', data.connections.map((c) => c.id));
  assertDomainsUnique(fileName, data.connections);
  const { mfa, email, ...sections } = data;
  return { ...sections, security: toSecuritySettings(data.security), audit: toAuditSettings(data.audit), ...(mfa ? { mfa } : {}), ...(email ? { email } : {}) };
}

function positionOf(text: string, error: unknown): string {
  const offset = (error as { pos?: [number, number] }).pos?.[0];
  if (offset === undefined) return '';
  const before = text.slice(0, offset);
  return ` at line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
}

function assertUnique(fileName: string, section: string, keys: string[]): void {
  const seen = new Set<string>();
  for (const [index, key] of keys.entries()) {
    if (seen.has(key)) throw new GatehouseError('config_invalid', `${fileName}: ${section}[${index}] ("${key}"): declared twice`);
    seen.add(key);
  }
}

/** Home-realm discovery sends a domain to one connection, so two may not claim it. */
function assertDomainsUnique(fileName: string, connections: ConnectionDeclaration[]): void {
  const claimedBy = new Map<string, string>();
  for (const [index, connection] of connections.entries()) {
    for (const domain of emailDomainsOf(connection)) {
      const first = claimedBy.get(domain);
      if (first) throw new GatehouseError('config_invalid', `${fileName}: connections[${index}] ("${connection.id}").email_domains: "${domain}" goes to ${first} already`);
      claimedBy.set(domain, `connections[${connections.indexOf(connection)}] ("${connection.id}")`);
    }
  }
}

export async function readDeclarations(fileName: string | undefined): Promise<Declarations> {
  if (!fileName) return emptyDeclarations;
  let text: string;
  try {
    text = await readFile(fileName, 'utf8');
  } catch (error) {
    throw new GatehouseError('config_file_unreadable', `${fileName}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { expose: true });
  }
  return parseDeclarations(text, fileName);
}
