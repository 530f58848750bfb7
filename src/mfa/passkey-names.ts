import { GatehouseError } from '../errors/gatehouse-error.js';
import { translate, type MessageKey } from '../i18n/catalogue.js';
import type { Locale } from '../i18n/locales.js';

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

/** The kinds of authenticator a default name tells apart, by the text that names them. */
const kinds = ['passkey.defaultName.synced', 'passkey.defaultName.securityKey', 'passkey.defaultName.passkey'] as const satisfies readonly MessageKey[];
type Kind = (typeof kinds)[number];

/** A kind and a day in a language: "Synced passkey (7 Dec 2026)", „Synchronisierter Passkey (7. Dez. 2026)“. */
function nameIn(locale: Locale, kind: Kind, at: number): string {
  const day = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(at);
  return translate(locale, kind, { date: day });
}

/**
 * The name a new passkey gets when its owner gave none: what kind of authenticator it is, as far
 * as the response tells (a synced passkey, a security key on USB/NFC/Bluetooth), and the day it
 * was added, so that two of them can be told apart in a list until they are renamed. Stored in
 * English, as the API, the CLI and the audit log show it; a page shows it in its language (shownPasskeyName).
 */
export function defaultPasskeyName({ deviceType, transports, now }: { deviceType: string; transports: readonly string[]; now: number }): string {
  const external = transports.some((t) => t === 'usb' || t === 'nfc' || t === 'ble');
  const kind: Kind = deviceType === 'multiDevice' ? 'passkey.defaultName.synced' : external && !transports.includes('internal') ? 'passkey.defaultName.securityKey' : 'passkey.defaultName.passkey';
  return nameIn('en', kind, now);
}

/**
 * The name a page shows: a default name, recognised as the English one of its registration day,
 * in the page's language; a name its owner chose, as chosen.
 */
export function shownPasskeyName(passkey: { name: string; createdAt: number }, locale: Locale): string {
  const kind = kinds.find((candidate) => passkey.name === nameIn('en', candidate, passkey.createdAt));
  return kind === undefined ? passkey.name : nameIn(locale, kind, passkey.createdAt);
}
