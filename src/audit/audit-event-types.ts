/**
 * Every type of event the audit log records, with its outcome. Each is documented in
 * docs/audit.md, with its fields; test/unit/audit-event-types.test.ts fails when the two drift
 * apart, as the error codes' test does for docs/errors.md.
 */
export const auditEventTypes = {
  // Sign-ins, by every method; a refusal carries its reason.
  'sign_in.succeeded': 'success',
  'sign_in.failed': 'failure',
  // What the protocol engine does for a signed-in user or an application.
  'session.ended': 'success',
  'token.issued': 'success',
  'consent.given': 'success',
  'consent.revoked': 'success',
  // Management changes, each by the service command that made it.
  'user.created': 'success',
  'user.updated': 'success',
  'user.disabled': 'success',
  'user.enabled': 'success',
  'user.deleted': 'success',
  'user.password_set': 'success',
  'user.password_reset': 'success',
  'user.unlocked': 'success',
  'identity.linked': 'success',
  'identity.unlinked': 'success',
  'address.unblocked': 'success',
  'application.created': 'success',
  'application.updated': 'success',
  'application.deleted': 'success',
  'application.secret_rotated': 'success',
  'scope.created': 'success',
  'scope.updated': 'success',
  'scope.deleted': 'success',
  'resource.created': 'success',
  'resource.updated': 'success',
  'resource.deleted': 'success',
  'connection.created': 'success',
  'connection.updated': 'success',
  'connection.deleted': 'success',
  'key.created': 'success',
  'key.rotation_started': 'success',
  'key.activated': 'success',
  'key.retired': 'success',
  'key.removed': 'success',
  'branding.changed': 'success',
  // Second factors: set up, removed (by their owner or an administrator), recovery codes, the global policy.
  'mfa.factor_enrolled': 'success',
  'mfa.factor_removed': 'success',
  'mfa.recovery_codes_generated': 'success',
  'mfa.recovery_code_used': 'success',
  'mfa.settings_changed': 'success',
  // Email delivery: the SMTP settings (never the password).
  'email.settings_changed': 'success',
  // A request to the management API refused for its access token (a request without one is not recorded).
  'management.refused': 'failure',
  // The audit log's own gap: events it had to drop while the database could not be written.
  'audit.events_dropped': 'failure',
} as const satisfies Record<string, 'success' | 'failure'>;

export type AuditEventType = keyof typeof auditEventTypes;

/**
 * Why a password sign-in (login page or password grant) was refused. The person is shown one
 * answer for all of them (docs/security.md, Equal answers); the audit log keeps the reason.
 */
export const passwordFailureReasons = ['throttled', 'locked', 'unknown_user', 'no_password', 'wrong_password', 'disabled'] as const;

export type PasswordFailureReason = (typeof passwordFailureReasons)[number];

/**
 * Why a sign-in through a connection (upstream provider or partner) was refused after the other
 * site proved who the person is: the connection's account rule refused, no account is linked, or
 * the account is disabled.
 */
export const accountFailureReasons = ['account_refused', 'no_account', 'disabled'] as const;

/**
 * Why a sign-in was refused at its second factor: a wrong code or passkey, the interaction ended
 * after too many of them, or (the password grant) a second factor is required and cannot be asked for.
 */
export const secondFactorFailureReasons = ['wrong_second_factor', 'second_factor_limit', 'mfa_required'] as const;
