/** An audit event as GET /api/v1/audit-events answers it (docs/audit.md). */
export interface AuditEvent {
  id: string;
  occurred_at: string;
  type: string;
  outcome: 'success' | 'failure';
  reason: string | null;
  actor: { kind: string; id: string | null };
  user_id: string | null;
  client_id: string | null;
  connection_id: string | null;
  client_address: string | null;
  details: Record<string, unknown>;
}

/**
 * The event types of src/audit/audit-event-types.ts (docs/audit.md), grouped and named for the
 * type filter. The API refuses an unknown type, so a type added there must be added here too.
 */
export const eventTypeGroups: readonly { label: string; types: readonly (readonly [type: string, label: string])[] }[] = [
  {
    label: 'Sign-ins and sessions',
    types: [
      ['sign_in.succeeded', 'Sign-in succeeded'],
      ['sign_in.failed', 'Sign-in failed'],
      ['session.ended', 'Session ended'],
      ['token.issued', 'Tokens issued'],
      ['consent.given', 'Consent given'],
      ['consent.revoked', 'Consent revoked'],
    ],
  },
  {
    label: 'Users',
    types: [
      ['user.created', 'User created'],
      ['user.updated', 'User updated'],
      ['user.disabled', 'User disabled'],
      ['user.enabled', 'User enabled'],
      ['user.deleted', 'User deleted'],
      ['user.password_set', 'Password set'],
      ['user.password_reset', 'Password reset by email'],
      ['user.unlocked', 'User unlocked'],
      ['identity.linked', 'Identity linked'],
      ['identity.unlinked', 'Identity unlinked'],
      ['address.unblocked', 'Address unblocked'],
    ],
  },
  {
    label: 'Second factors',
    types: [
      ['mfa.factor_enrolled', 'Second factor set up'],
      ['mfa.factor_removed', 'Second factor removed'],
      ['mfa.recovery_codes_generated', 'Recovery codes generated'],
      ['mfa.recovery_code_used', 'Recovery code used'],
      ['mfa.settings_changed', 'MFA policy changed'],
    ],
  },
  {
    label: 'Applications, scopes and APIs',
    types: [
      ['application.created', 'Application created'],
      ['application.updated', 'Application updated'],
      ['application.deleted', 'Application deleted'],
      ['application.secret_rotated', 'Application secret rotated'],
      ['scope.created', 'Scope created'],
      ['scope.updated', 'Scope updated'],
      ['scope.deleted', 'Scope deleted'],
      ['resource.created', 'API created'],
      ['resource.updated', 'API updated'],
      ['resource.deleted', 'API deleted'],
    ],
  },
  {
    label: 'Connections, keys, branding and email',
    types: [
      ['connection.created', 'Connection created'],
      ['connection.updated', 'Connection updated'],
      ['connection.deleted', 'Connection deleted'],
      ['key.created', 'Key created'],
      ['key.rotation_started', 'Key rotation started'],
      ['key.activated', 'Key activated'],
      ['key.retired', 'Key retired'],
      ['key.removed', 'Key removed'],
      ['branding.changed', 'Branding changed'],
      ['email.settings_changed', 'Email settings changed'],
    ],
  },
  {
    label: 'Refusals and gaps',
    types: [
      ['management.refused', 'Management API call refused'],
      ['audit.events_dropped', 'Audit events dropped'],
    ],
  },
];

const labels = new Map(eventTypeGroups.flatMap((group) => group.types));

/** A type's name for people ("Sign-in succeeded"); a type this console does not know yet, as it is. */
export const typeLabel = (type: string): string => labels.get(type) ?? type;

export const isKnownType = (type: string): boolean => labels.has(type);
