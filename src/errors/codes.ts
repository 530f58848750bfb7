import { defaults } from '../config/defaults.js';

/**
 * The stable error codes of Gatehouse. Each is documented in docs/errors.md;
 * test/unit/error-codes.test.ts fails when the two drift apart.
 */
export const errorCodes = {
  config_invalid: { status: 500, title: 'The configuration is invalid' },
  config_file_unreadable: { status: 500, title: 'The configuration file cannot be read' },
  secret_missing: { status: 500, title: 'The master secret is missing' },
  secret_mismatch: { status: 500, title: 'The master secret does not decrypt the stored keys' },
  storage_unavailable: { status: 503, title: 'The database cannot be reached', retryAfterSeconds: defaults.storageRetryAfterSeconds },
  invalid_request: { status: 400, title: 'The request is invalid' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  not_found: { status: 404, title: 'Not found' },
  unauthorized: { status: 401, title: 'An access token Gatehouse issued is needed' },
  forbidden: { status: 403, title: 'The access token does not allow this' },
  too_many_attempts: { status: 429, title: 'Too many failed attempts from this address' },
  declared_in_config_file: { status: 409, title: 'The record is declared in the configuration file' },
  csrf_invalid: { status: 403, title: 'The form has expired or was not sent by this site' },
  interaction_expired: { status: 400, title: 'The sign-in request has expired' },
  password_policy: { status: 400, title: 'The password does not meet the password policy' },
  user_not_found: { status: 404, title: 'No such user' },
  conflict: { status: 409, title: 'Conflicts with existing data' },
  upstream_address_refused: { status: 502, title: 'The upstream identity provider is at an address Gatehouse may not reach' },
  upstream_failed: { status: 502, title: 'The upstream identity provider could not be used' },
  upstream_client_refused: { status: 502, title: "The upstream identity provider refused Gatehouse's client ID and secret" },
  upstream_response_invalid: { status: 502, title: "The upstream identity provider's answer did not pass Gatehouse's checks" },
  upstream_denied: { status: 403, title: 'The upstream identity provider did not sign the person in' },
  connection_unavailable: { status: 404, title: 'The sign-in option is not available' },
  detour_unknown: { status: 400, title: 'The sign-in response belongs to no sign-in Gatehouse started' },
  detour_other_browser: { status: 400, title: 'The sign-in was started in another browser' },
  detour_expired: { status: 400, title: 'The sign-in through another site has expired' },
  detour_used: { status: 400, title: 'The sign-in response was used already' },
  jwt_refused: { status: 400, title: "The partner's sign-in token was refused" },
  test_link_invalid: { status: 403, title: 'The connection test link is not valid or has expired' },
  passkey_invalid: { status: 400, title: "The passkey's answer did not pass Gatehouse's checks" },
  email_not_configured: { status: 409, title: 'Email is not configured' },
  email_delivery_failed: { status: 502, title: 'The mail server did not accept the message' },
  console_not_built: { status: 503, title: 'The admin console is not built' },
  internal_error: { status: 500, title: 'Something went wrong on our side' },
} as const satisfies Record<string, ErrorCodeEntry>;

export interface ErrorCodeEntry {
  status: number;
  title: string;
  /** Sent as Retry-After with every error of this code that names no wait of its own. */
  retryAfterSeconds?: number;
}

export type ErrorCode = keyof typeof errorCodes;
