import type { Branding } from '../branding/branding.js';
import type { ApiResourceRow } from '../db/queries/api-resources.js';
import type { ApplicationRow } from '../db/queries/applications.js';
import type { ConnectionRow } from '../db/queries/connections.js';
import type { KeyRow } from '../db/queries/keys.js';
import type { ScopeRow } from '../db/queries/scopes.js';
import type { UserRow } from '../db/queries/users.js';

/**
 * What the audit log shows of each kind of record: the one place that decides it. A management
 * change's event holds the fields of these views that differ before and after; a password, its
 * hash, a client secret, a connection's secret and a key's private part never appear, only
 * whether there is one (and the change's `details` say when one changed).
 */
export type AuditView = Record<string, unknown>;

const parsed = (json: string): Record<string, unknown> => JSON.parse(json) as Record<string, unknown>;

export function userView(row: UserRow): AuditView {
  return {
    username: row.username,
    email: row.email,
    ...parsed(row.profile),
    groups: JSON.parse(row.groups) as unknown,
    attributes: parsed(row.attributes),
    disabled: row.disabled === 1,
    has_password: row.password_hash !== null,
    owner: row.owner,
  };
}

/** The client metadata, which is stored without the secret. */
export function applicationView(row: ApplicationRow): AuditView {
  return { ...parsed(row.metadata), has_client_secret: row.client_secret_sealed !== null, owner: row.owner };
}

export function scopeView(row: ScopeRow): AuditView {
  return { description: row.description, claims: JSON.parse(row.claims) as unknown, owner: row.owner };
}

export function resourceView(row: ApiResourceRow): AuditView {
  return {
    name: row.name, scopes: JSON.parse(row.scopes) as unknown, access_token_format: row.access_token_format,
    signing_alg: row.signing_alg, access_token_ttl_seconds: Number(row.access_token_ttl_seconds), owner: row.owner,
  };
}

/** The settings document, which is stored without the secret (connection-service.ts, columnsOf). */
export function connectionView(row: Pick<ConnectionRow, 'type' | 'name' | 'enabled' | 'settings' | 'secret_sealed' | 'owner'>): AuditView {
  return { type: row.type, name: row.name, enabled: row.enabled === 1, ...parsed(row.settings), has_secret: row.secret_sealed !== null, owner: row.owner };
}

/** A key by its public facts; its public JWK is in the JWKS, its private part nowhere. */
export function keyView(row: Pick<KeyRow, 'kid' | 'purpose' | 'status'>): AuditView {
  return { kid: row.kid, purpose: row.purpose, status: row.status };
}

/** The branding as the pages show it (unset values as their defaults); the logo by its source and hash, never its bytes. */
export function brandingView(branding: Branding): AuditView {
  return {
    product_name: branding.productName,
    primary_color: branding.primaryColor,
    logo_url: branding.logo?.sourceUrl ?? null,
    logo_hash: branding.logo?.hash ?? null,
    logo_content_type: branding.logo?.contentType ?? null,
  };
}

/** The global MFA settings, as the API shows them. */
export function mfaSettingsView(settings: { policy: string; requireForAdministrators: boolean | null; owner: string }): AuditView {
  return { policy: settings.policy, require_for_administrators: settings.requireForAdministrators, owner: settings.owner };
}

/** The SMTP settings, as the API shows them: whether there is a password, never the password. */
export function emailSettingsView(settings: {
  smtp: { host: string; port: number; tls: string; allowInsecure: boolean; user: string | null; hasPassword: boolean; from: { address: string; name: string | null } } | null;
  owner: string;
}): AuditView {
  const { smtp } = settings;
  return {
    host: smtp?.host ?? null,
    port: smtp?.port ?? null,
    tls: smtp?.tls ?? null,
    allow_insecure: smtp?.allowInsecure ?? false,
    user: smtp?.user ?? null,
    has_password: smtp?.hasPassword ?? false,
    from_address: smtp?.from.address ?? null,
    from_name: smtp?.from.name ?? null,
    owner: settings.owner,
  };
}
