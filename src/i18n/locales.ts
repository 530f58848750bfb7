import { defaults } from '../config/defaults.js';

/**
 * The languages Gatehouse's pages speak. English is the source: every other catalogue is a
 * translation of messages/en.ts. Tags are BCP 47, as `ui_locales`, `Accept-Language`, the
 * `locale` claim and `<html lang>` use them.
 */
export const supportedLocales = ['en', 'zh-CN', 'de', 'fr', 'es', 'ja'] as const;

export type Locale = (typeof supportedLocales)[number];

/** What a page speaks when nothing the request says names a language Gatehouse has. */
export const defaultLocale: Locale = 'en';

/** Each language by its own name, as the switcher lists it: a reader finds their language in their script. */
export const languageNames: Record<Locale, string> = {
  en: 'English',
  'zh-CN': '简体中文',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
  ja: '日本語',
};

/** Writing direction, for `<html dir>`: all ltr today, ready for a right-to-left language such as ar. */
export const textDirection: Record<Locale, 'ltr' | 'rtl'> = { en: 'ltr', 'zh-CN': 'ltr', de: 'ltr', fr: 'ltr', es: 'ltr', ja: 'ltr' };

/** The switcher's query parameter: `?lang=de` on any page shows it in German and remembers the choice. */
export const languageParameter = 'lang';

/** The cookie that remembers a language picked with the switcher (defaults.ts says why it lives as it does). */
export const languageCookie = defaults.languageCookie;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (supportedLocales as readonly string[]).includes(value);
}
