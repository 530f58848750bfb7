import * as accountTexts from './messages/account/index.js';
import * as brandingTexts from './messages/branding/index.js';
import { de } from './messages/de.js';
import { en } from './messages/en.js';
import { es } from './messages/es.js';
import { fr } from './messages/fr.js';
import { ja } from './messages/ja.js';
import * as recoveryTexts from './messages/recovery/index.js';
import { zhCN } from './messages/zh-CN.js';
import type { Locale } from './locales.js';

/**
 * The catalogue of each language is a core file (messages/{locale}.ts: sign-in, consent, errors,
 * emails' frame) and one file per area of its own folder (messages/account/, …): a feature's
 * texts live beside each other, and the areas are merged here.
 */
const english = { ...en, ...accountTexts.en, ...recoveryTexts.en, ...brandingTexts.en };

/** Every text a page may show: the keys of the English catalogues, so that a missing translation fails the type-check. */
export type MessageKey = keyof typeof english;

/**
 * A translation of one English source (the core's by default, an area's `typeof en` otherwise):
 * every key of it, nothing else (each catalogue says so with `satisfies Catalogue<…>`).
 */
export type Catalogue<Source = typeof en> = Record<keyof Source, string>;

/** What fills a text's `{name}` placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

export const catalogues: Readonly<Record<Locale, Record<MessageKey, string>>> = {
  en: english,
  'zh-CN': { ...zhCN, ...accountTexts.zhCN, ...recoveryTexts.zhCN, ...brandingTexts.zhCN },
  de: { ...de, ...accountTexts.de, ...recoveryTexts.de, ...brandingTexts.de },
  fr: { ...fr, ...accountTexts.fr, ...recoveryTexts.fr, ...brandingTexts.fr },
  es: { ...es, ...accountTexts.es, ...recoveryTexts.es, ...brandingTexts.es },
  ja: { ...ja, ...accountTexts.ja, ...recoveryTexts.ja, ...brandingTexts.ja },
};

const placeholder = /\{([A-Za-z0-9_]+)\}/g;

/**
 * The text of `key` in `locale`, its placeholders filled; a placeholder without a value stays as
 * written, so a forgotten parameter shows rather than vanishes. Needs no request: emails and
 * anything else outside a page call it with the locale they chose. The result is plain text.
 */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const text = catalogues[locale][key] ?? english[key];
  if (!params) return text;
  return text.replace(placeholder, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The placeholder names of a text, for the catalogue test and for views that put markup in a placeholder. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(placeholder)].map((match) => match[1]!);
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(english, value);
}
