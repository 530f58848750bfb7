import type { Kysely } from 'kysely';

/** Rows of oidc-provider's models: sessions, interactions, grants, codes, tokens, replay ids. */
export interface OidcModelTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  /** The user a session, grant or token belongs to; null for client-only models. */
  account_id: string | null;
  /** Epoch milliseconds; null for models that never expire. */
  expires_at: number | null;
  consumed_at: number | null;
}

export interface ApplicationTable {
  client_id: string;
  /** JSON of the client metadata, without the secret. */
  metadata: string;
  /** The client secret sealed with the master secret; oidc-provider needs it in clear for HS256. */
  client_secret_sealed: string | null;
  created_at: number;
  updated_at: number;
}

export interface UserTable {
  id: string;
  username: string;
  /** NFKC, trimmed, lower-cased: what sign-in and uniqueness compare. */
  username_normalized: string;
  email: string | null;
  password_hash: string | null;
  /** SHA-256 (hex) of the password_hash last imported from the configuration file, if any. */
  password_hash_import: string | null;
  /** JSON of the standard profile claims. */
  profile: string;
  /** JSON array of group names. */
  groups: string;
  /** JSON object of free-form attributes for custom claims. */
  attributes: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

/** External identities linked to a user: one row per (issuer, subject). */
export interface UserIdentityTable {
  issuer: string;
  subject: string;
  user_id: string;
  created_at: number;
}

export interface KeyTable {
  /** A fixed slot such as "signing:RS256" so that concurrent first starts agree on one key. */
  slot: string;
  kid: string;
  use: string;
  alg: string | null;
  public_jwk: string | null;
  /** The private JWK or raw secret, sealed with the master secret. */
  private_sealed: string;
  created_at: number;
}

export interface ScopeTable {
  name: string;
  description: string;
  /** JSON array of claim names. */
  claims: string;
  created_at: number;
  updated_at: number;
}

/** Counters of failed attempts: per account, per client IP. */
export interface AttemptCounterTable {
  key: string;
  failures: number;
  window_started_at: number;
  locked_until: number | null;
  lock_count: number;
  expires_at: number;
}

export interface Database {
  oidc_models: OidcModelTable;
  applications: ApplicationTable;
  users: UserTable;
  user_identities: UserIdentityTable;
  keys: KeyTable;
  scopes: ScopeTable;
  attempt_counters: AttemptCounterTable;
}

export type Db = Kysely<Database>;
export type Dialect = 'sqlite' | 'postgres';

/** A database handle with the dialect it speaks, for the few places where SQL differs. */
export interface Storage {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
}

