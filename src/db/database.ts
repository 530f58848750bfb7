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
  owner: Owner;
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
  owner: Owner;
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

export type KeyStatus = 'next' | 'active' | 'retired';

/** Signing and cookie keys by kid; at most one active and one next per purpose (docs/operations.md#key-rotation). */
export interface KeyTable {
  kid: string;
  /** `signing:<alg>` or `cookie`. */
  purpose: string;
  /** `next`: published, not yet used; `active`: signs; `retired`: verifies only. */
  status: KeyStatus;
  public_jwk: string | null;
  /** The private JWK or raw secret, sealed with the master secret. */
  private_sealed: string;
  /** The context it was sealed with, which opening must name again. */
  sealed_as: string;
  created_at: number;
  status_changed_at: number;
}

export interface ScopeTable {
  name: string;
  description: string;
  /** JSON array of claim names. */
  claims: string;
  owner: Owner;
  created_at: number;
  updated_at: number;
}

/** An API applications get access tokens for (RFC 8707): its identifier is the `resource` value and the tokens' audience. */
export interface ApiResourceTable {
  identifier: string;
  name: string;
  /** JSON array of `{ name, description }`. */
  scopes: string;
  /** `jwt` (RFC 9068, verified by the API on its own) or `opaque` (introspected). */
  access_token_format: string;
  /** One of the signing algorithms Gatehouse keeps a key for (src/keys/new-keys.ts). */
  signing_alg: string;
  access_token_ttl_seconds: number;
  owner: Owner;
  created_at: number;
  updated_at: number;
}

/** Counters of failed attempts: per account, per client address, per application at an address. */
export interface AttemptCounterTable {
  key: string;
  failures: number;
  window_started_at: number;
  locked_until: number | null;
  lock_count: number;
  expires_at: number;
}

/**
 * An identity (an account's counter key) that failed to sign in from a client address, keyed
 * `identity:ip:…:account`: its failures in its own window, and the address counter's window
 * start and lock count its failure was counted into there (both null when it holds no count in
 * the address counter), which a right password gives back while the address counter is still in
 * that state.
 */
export interface AddressIdentityTable {
  key: string;
  failures: number;
  window_started_at: number;
  counted_window_started_at: number | null;
  counted_lock_count: number | null;
  expires_at: number;
}

/** Who owns a record: the configuration file (others may not change it) or the database. */
export type Owner = 'config_file' | 'database';

/** Counters that tell every instance that what its engine is built from changed. */
export interface EngineStateTable {
  name: string;
  version: number;
}

/** What a sign-in detour is for: an interaction's sign-in, or an administrator's test of a connection. */
export type DetourPurpose = 'sign_in' | 'test';

/**
 * A browser's trip through an upstream identity provider, keyed by the SHA-256 (hex) of its
 * `state`; single use at the callback (`returned_at`) and at the hop back (`completed_at`).
 */
export interface SignInDetourTable {
  state_hash: string;
  purpose: DetourPurpose;
  /** The interaction the sign-in finishes; null for a test. */
  interaction_uid: string | null;
  connection_id: string;
  /** SHA-256 (hex) of the browser-binding cookie's value. */
  binding_hash: string;
  /** An OpenID Connect upstream's trip only: the id_token's nonce and the PKCE verifier; null for a partner's (JWT). */
  nonce: string | null;
  code_verifier: string | null;
  /** Where the other site sends the browser back: the connection's callback URL. */
  redirect_uri: string;
  created_at: number;
  /** Minutes after departure; once the hop back is taken, an interaction's lifetime from then (the logout bookkeeping at `resume` reads it). */
  expires_at: number;
  returned_at: number | null;
  completed_at: number | null;
  /** The identity the upstream proved, once the callback has run. */
  identity_issuer: string | null;
  identity_subject: string | null;
  /** JSON of the claims of the id_token and userinfo, sealed with the master secret (bound to the row and column). */
  identity_claims: string | null;
  /** The upstream's id_token, sealed likewise. */
  upstream_id_token: string | null;
  /**
   * A partner's return only: SHA-256 (hex) of the one-time ticket handed to the browser the
   * return came in, which the hop back must show. A partner's POST brings no cookie, so without
   * it whoever holds the state could finish a sign-in the partner completed in another browser.
   */
  return_ticket_hash: string | null;
}

/** The upstream sign-in behind an engine session, kept to end the upstream session at logout. */
export interface UpstreamSessionTable {
  session_uid: string;
  connection_id: string;
  /** The upstream's id_token (the logout's id_token_hint), sealed with the master secret, bound to the session uid. */
  id_token: string;
  expires_at: number;
}

/** Upstream identity providers users sign in through; what a type needs beyond the common columns is in `settings`. */
export interface ConnectionTable {
  id: string;
  /** `oidc` (an upstream OpenID Connect provider) or `jwt` (a partner's signed-JWT sign-in). */
  type: string;
  name: string;
  enabled: number;
  /** JSON of the type's validated settings document, without the secret. */
  settings: string;
  /** The upstream's client secret (`oidc`) or the partner's HMAC key (`jwt`), sealed with the master secret, bound to the connection id and type; null when a `jwt` connection verifies with a public key. */
  secret_sealed: string | null;
  owner: Owner;
  created_at: number;
  updated_at: number;
}

/** A token id a `jwt` connection accepted, remembered until the token has expired (plus the clock skew allowed). */
export interface JwtReplayTable {
  connection_id: string;
  /** SHA-256 (hex) of the `jti`: a fixed size whatever the partner sends, and nothing of the token kept. */
  jti_hash: string;
  expires_at: number;
}

/** Which connection an email domain goes to (home-realm discovery): one connection per domain. */
export interface ConnectionEmailDomainTable {
  domain: string;
  connection_id: string;
}

/** Who acted in an audit event (docs/audit.md): a kind, and which one of that kind. */
export type AuditActorKind = 'user' | 'client' | 'anonymous' | 'config_file' | 'cli' | 'api' | 'system';

/**
 * One security event of the audit log (docs/audit.md), append-only. Ordered by `occurred_at`,
 * then `id`: a page of events continues after the last one's pair.
 */
export interface AuditEventTable {
  /** Unique and random: with occurred_at, a position no later insert can take. */
  id: string;
  /** Epoch milliseconds, when Gatehouse saw it happen (not when it was written). */
  occurred_at: number;
  /** One of src/audit/audit-event-types.ts, e.g. `sign_in.failed`. */
  type: string;
  outcome: 'success' | 'failure';
  /** Why: a failure's stable reason (`wrong_password`), or what ended a session or grant (`logout`); null otherwise. */
  reason: string | null;
  actor_kind: AuditActorKind;
  /** The user id, client_id, CLI command, configuration file, API subject or system reason; null for `anonymous`. */
  actor_id: string | null;
  /** The user it concerns (who signed in, whose account changed), when there is one. */
  user_id: string | null;
  /** The application it concerns. */
  client_id: string | null;
  /** The connection (upstream provider or partner) it went through. */
  connection_id: string | null;
  /** The client address of the request it came with, as the throttles count it. */
  client_address: string | null;
  /** JSON of the event's non-secret fields (a management change: `before` and `after` of what changed). */
  details: string;
}

/**
 * The sign-in pages' branding: one row, id 1. A null column is "not set" (the default name and
 * colour of src/config/defaults.ts, no logo).
 */
export interface BrandingTable {
  id: number;
  product_name: string | null;
  /** `#rrggbb`, lower-case. */
  primary_color: string | null;
  /** The logo's bytes, as fetched once when it was set; served at /branding/logo/{logo_hash}. */
  logo: Uint8Array | null;
  /** What the bytes were recognised as (not what the other server said): image/png, image/jpeg, image/gif, image/webp, image/svg+xml. */
  logo_content_type: string | null;
  /** A short hash of the bytes: the logo's URL, which changes with them. */
  logo_hash: string | null;
  /** Where the logo was fetched from. */
  logo_source_url: string | null;
  /** Null until an administrator first changes it. */
  updated_at: number | null;
}

/** A user's authenticator app (RFC 6238); one per user. */
export interface TotpFactorTable {
  user_id: string;
  /** The 20-byte secret, base32, sealed with the master secret (context: the user's id). */
  secret_sealed: string;
  created_at: number;
  /** Null until the first valid code: until then the factor is being set up and never asked for. */
  confirmed_at: number | null;
  /** The latest time step a code was accepted for; only a later one passes. */
  last_time_step: number | null;
  last_used_at: number | null;
}

/** A WebAuthn credential (a passkey or security key), by its credential id (base64url). */
export interface PasskeyTable {
  id: string;
  user_id: string;
  /** The owner's name for it. */
  name: string;
  /** The COSE public key, base64url. */
  public_key: string;
  /** The signature counter last seen; 0 for authenticators that keep none. */
  counter: number;
  /** JSON array of the transports the browser reported. */
  transports: string;
  /** `singleDevice` or `multiDevice` (a synced passkey). */
  device_type: string;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}

/** An unused recovery code, as a keyed hash; its row is deleted when it is used. */
export interface RecoveryCodeTable {
  user_id: string;
  code_hash: string;
  created_at: number;
}

/** A WebAuthn challenge, usable once, for what it was made for. */
export interface WebauthnChallengeTable {
  challenge: string;
  /** `registration` or `authentication`. */
  purpose: string;
  /** The interaction uid (sign-in) or user id (account page) the challenge belongs to. */
  bound_to: string;
  /** The user the challenge was made for, when known (registration, second factor). */
  user_id: string | null;
  expires_at: number;
}

/** A sign-in between its first factor and its end, by the interaction's uid. */
export interface MfaSignInTable {
  uid: string;
  /** Random, new with each first factor in the interaction: a step of an earlier one finds its row gone. */
  generation: string;
  user_id: string;
  /** JSON array: the methods proved so far (RFC 8176). */
  amr: string;
  /** JSON: how the first factor was given (the audit log's `via`). */
  via: string;
  /** The factor the sign-in was started to set up (`totp`, `passkey`), if it was. */
  enrol: string | null;
  /** Wrong second factors in this sign-in; at the limit the sign-in ends. */
  failures: number;
  expires_at: number;
}

/** The global MFA policy, one row (id 1). */
export interface MfaSettingsTable {
  id: number;
  /** `off`, `optional` or `required`. */
  policy: string;
  /** 1 or 0 as set; null: required once any administrator has a factor. */
  require_for_administrators: number | null;
  owner: Owner;
  updated_at: number | null;
}

/** The SMTP settings, one row (id 1); a null host: email is not configured. */
export interface EmailSettingsTable {
  id: number;
  host: string | null;
  port: number | null;
  /** `starttls`, `tls` or `none`. */
  tls_mode: string | null;
  /** 1: `none` allowed to a host that is not loopback (credentials and mail cross in clear). */
  allow_insecure: number;
  auth_user: string | null;
  /** The SMTP password, sealed with the master secret (context: email_settings.password); never returned. */
  password_sealed: string | null;
  from_address: string | null;
  from_name: string | null;
  owner: Owner;
  updated_at: number | null;
}

export type EmailStatus = 'queued' | 'sending' | 'sent' | 'failed';

/** A message to send, kept after it is sent or given up (with its parameters emptied) for administrators to see. */
export interface EmailOutboxTable {
  id: string;
  recipient: string;
  /** One of src/email/templates. */
  template: string;
  /** The language it is rendered in (BCP 47). */
  locale: string;
  /** JSON of the template's parameters, sealed with the master secret (context: the row's id); null once sent or failed. */
  params_sealed: string | null;
  status: EmailStatus;
  /** Sends tried so far, the one under way included. */
  attempts: number;
  /** When a queued message is due (epoch milliseconds). */
  next_attempt_at: number;
  /** The last SMTP error, without credentials. */
  last_error: string | null;
  /** The instance sending it, and until when its claim holds. */
  claimed_by: string | null;
  claimed_until: number | null;
  created_at: number;
  sent_at: number | null;
  /** The account it is about, when there is one. */
  user_id: string | null;
}

/** What the /account sessions list shows of an engine session (migration 2026-12-09-0001). */
export interface SessionDeviceTable {
  /** The engine's session uid (never the cookie's value). */
  session_uid: string;
  account_id: string;
  /** The User-Agent of the latest authorization through the session, cut to 512 characters. */
  user_agent: string | null;
  /** The client address of that authorization (trusted proxies applied). */
  ip_address: string | null;
  /** Epoch milliseconds: the first authorization recorded, and the latest. */
  created_at: number;
  last_seen_at: number;
}

/** A single-use link sent by email (migration 2026-12-09-0002). */
export interface AccountTokenTable {
  /** SHA-256 of the token; the token itself is only in the message. */
  token_hash: string;
  user_id: string;
  purpose: AccountTokenPurpose;
  /** The address the link was sent to: for an email change, the new address. */
  email: string;
  /** A reset link's digest of the user's password hash when it was made: a password changed since voids it. */
  password_print: string | null;
  created_at: number;
  expires_at: number;
}

export type AccountTokenPurpose = 'verify_email' | 'change_email' | 'reset_password';

/** An application's own logo (its `branding.logo_uri`, fetched once; migration 2026-12-09-0003). */
export interface ApplicationLogoTable {
  client_id: string;
  logo: Uint8Array;
  logo_content_type: string;
  /** A short hash of the bytes: the version in the logo's URL. */
  logo_hash: string;
  logo_source_url: string;
  updated_at: number;
}

export interface Database {
  oidc_models: OidcModelTable;
  applications: ApplicationTable;
  users: UserTable;
  user_identities: UserIdentityTable;
  keys: KeyTable;
  scopes: ScopeTable;
  api_resources: ApiResourceTable;
  attempt_counters: AttemptCounterTable;
  address_identities: AddressIdentityTable;
  engine_state: EngineStateTable;
  connections: ConnectionTable;
  connection_email_domains: ConnectionEmailDomainTable;
  sign_in_detours: SignInDetourTable;
  upstream_sessions: UpstreamSessionTable;
  jwt_replays: JwtReplayTable;
  audit_events: AuditEventTable;
  branding: BrandingTable;
  totp_factors: TotpFactorTable;
  passkeys: PasskeyTable;
  recovery_codes: RecoveryCodeTable;
  webauthn_challenges: WebauthnChallengeTable;
  mfa_sign_ins: MfaSignInTable;
  mfa_settings: MfaSettingsTable;
  email_settings: EmailSettingsTable;
  email_outbox: EmailOutboxTable;
  session_devices: SessionDeviceTable;
  account_tokens: AccountTokenTable;
  application_logos: ApplicationLogoTable;
}

export type Db = Kysely<Database>;
export type Dialect = 'sqlite' | 'postgres';

/** A database handle with the dialect it speaks, for the few places where SQL differs. */
export interface Storage {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
  /** PostgreSQL's connection pool as it reports itself (for the metrics); SQLite has one connection and none. */
  pool?: { totalCount: number; idleCount: number; waitingCount: number };
}

