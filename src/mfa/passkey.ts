import type { CredentialDeviceType } from '@simplewebauthn/server';
import type { PasskeyRow } from '../db/queries/passkeys.js';

/** A passkey as its owner's page and the factor listings show it; never its public key. */
export interface Passkey {
  /** The credential id (base64url): also the factor id in the management API. */
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  deviceType: CredentialDeviceType;
  backedUp: boolean;
}

export function passkeyOf(row: PasskeyRow): Passkey {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: row.backed_up === 1,
  };
}

/** The transports the browser reported at registration: hints for where to look for the credential. */
export function transportsOf(row: PasskeyRow): string[] {
  try {
    const value: unknown = JSON.parse(row.transports);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
