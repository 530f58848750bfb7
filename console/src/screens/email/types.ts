/** GET and PUT /api/v1/settings/email (docs/email.md#settings): never the password, only whether one is stored. */
export interface EmailSettings {
  /** false while there are no SMTP settings: nothing can be sent. */
  configured: boolean;
  host: string | null;
  port: number | null;
  tls: TlsMode | null;
  allow_insecure: boolean;
  user: string | null;
  has_password: boolean;
  from: { address: string; name: string | null } | null;
  owner: 'database' | 'config_file';
  updated_at: string | null;
}

export type TlsMode = 'starttls' | 'tls' | 'none';

/** The port each mode usually runs on: the API's default when the port is left empty. */
export const defaultPorts: Record<TlsMode, number> = { starttls: 587, tls: 465, none: 25 };

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';

/** A message of GET /api/v1/email/outbox (docs/email.md#the-outbox): who it went to and what became of it, never its content. */
export interface OutboxMessage {
  id: string;
  recipient: string;
  template: string;
  locale: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  next_attempt_at: string | null;
  user_id: string | null;
}

/** The templates of src/email/templates/ (docs/email.md#what-sends-email), named for people; one this console does not know yet shows as it is. */
const templateLabels: Readonly<Record<string, string>> = {
  test: 'Test message',
  reset_password: 'Password reset link',
  password_was_reset: 'Password was reset',
  verify_email: 'Email verification link',
  confirm_new_email: 'New address confirmation',
  email_changed: 'Address was changed',
  account_notice: 'Account notice',
};

export const templateLabel = (template: string): string => templateLabels[template] ?? template;
