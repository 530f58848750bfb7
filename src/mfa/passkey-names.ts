import { GatehouseError } from '../errors/gatehouse-error.js';

/** The passkeys table's name column holds up to 100 characters. */
export const maxPasskeyNameLength = 100;

const controlCharacters = /[\u0000-\u001f\u007f]/;

/** A name the owner typed: trimmed, 1 to 100 characters, on one line. */
export function passkeyName(input: string): string {
  const name = input.trim();
  if (name.length === 0 || name.length > maxPasskeyNameLength || controlCharacters.test(name)) {
    throw new GatehouseError('invalid_request', `A passkey's name is 1 to ${maxPasskeyNameLength} characters on one line.`, {
      details: [{ path: 'body.name', message: `1 to ${maxPasskeyNameLength} characters, no line breaks` }],
    });
  }
  return name;
}

const shortDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/**
 * The name a new passkey gets when its owner gave none: what kind of authenticator it is, as far
 * as the response tells (a synced passkey, a security key on USB/NFC/Bluetooth), and the day it
 * was added, so that two of them can be told apart in a list until they are renamed.
 */
export function defaultPasskeyName({ deviceType, transports, now }: { deviceType: string; transports: readonly string[]; now: number }): string {
  const external = transports.some((t) => t === 'usb' || t === 'nfc' || t === 'ble');
  const kind = deviceType === 'multiDevice' ? 'Synced passkey' : external && !transports.includes('internal') ? 'Security key' : 'Passkey';
  return `${kind} (${shortDate.format(now)})`;
}
