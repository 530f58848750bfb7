import { de } from './messages/de.js';
import { en } from './messages/en.js';
import { es } from './messages/es.js';
import { fr } from './messages/fr.js';
import { ja } from './messages/ja.js';
import { zhCN } from './messages/zh-CN.js';
import type { Locale } from './locales.js';

/** Every text a page may show: the keys of the English catalogue, so that a missing translation fails the type-check. */
export type MessageKey = keyof typeof en;

/** A translation: every key of English, nothing else (each catalogue says so with `satisfies Catalogue`). */
export type Catalogue = Record<MessageKey, string>;

/** What fills a text's `{name}` placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

export const catalogues: Readonly<Record<Locale, Catalogue>> = { en, 'zh-CN': zhCN, de, fr, es, ja };

const placeholder = /\{([A-Za-z0-9_]+)\}/g;

/**
 * The text of `key` in `locale`, its placeholders filled; a placeholder without a value stays as
 * written, so a forgotten parameter shows rather than vanishes. Needs no request: emails and
 * anything else outside a page call it with the locale they chose. The result is plain text.
 */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const text = catalogues[locale][key] ?? en[key];
  if (!params) return text;
  return text.replace(placeholder, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The placeholder names of a text, for the catalogue test and for views that put markup in a placeholder. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(placeholder)].map((match) => match[1]!);
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(en, value);
}
