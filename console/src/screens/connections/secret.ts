import { shownOnce } from '../../ui/shown-once';

/**
 * A partner's shared secret, made in the browser: the API takes a secret but does not generate
 * one. 48 random bytes in base64url are 64 characters, so 64 UTF-8 bytes: long enough for HS512,
 * the longest HMAC key Gatehouse asks for (RFC 7518 §3.2).
 */
export function generateSecret(): string {
  const bytes = new Uint8Array(48);
  crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A partner's secret just saved, until the connection's page shows it that once. */
export const connectionSecrets = shownOnce();
