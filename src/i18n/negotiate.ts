import { match } from '@formatjs/intl-localematcher';
import { defaultLocale, supportedLocales, type Locale } from './locales.js';

/**
 * What a request says about its language, strongest first (docs/localization.md): the person's
 * own pick with the switcher (`?lang=`, then the cookie it set), the application's `ui_locales`,
 * the user's `locale` claim once the user is known, the browser's `Accept-Language`.
 */
export interface LocaleSignals {
  /** `?lang=` of this request. */
  query?: string | undefined;
  /** The `gatehouse_lang` cookie. */
  cookie?: string | undefined;
  /** The authorization request's `ui_locales`: space-separated, by preference. */
  uiLocales?: string | undefined;
  /** The signed-in or signing-in user's `locale` claim. */
  userLocale?: string | undefined;
  acceptLanguage?: string | undefined;
}

/** A language tag the matcher can read; anything else (`x`, `en_US`, a script) is dropped, never an error. */
function wellFormed(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

const noMatch = 'und';

/**
 * The supported locale that best fits tags given by preference, or undefined when none does:
 * `zh`, `zh-Hans` and `zh-CN-x-…` find zh-CN, `en-GB` finds en, `de-AT` de (CLDR's best fit).
 */
export function bestLocale(tags: readonly string[]): Locale | undefined {
  const readable = tags.map((tag) => tag.trim()).filter((tag) => tag !== '' && tag !== '*' && wellFormed(tag));
  if (readable.length === 0) return undefined;
  const found = match(readable, supportedLocales, noMatch, { algorithm: 'best fit' });
  return found === noMatch ? undefined : (found as Locale);
}

/** `Accept-Language`'s tags by preference: q-values ordered (stable for equal ones), `q=0` left out. */
export function acceptedLanguages(header: string): string[] {
  return header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...parameters] = part.split(';').map((piece) => piece.trim());
      const q = parameters.find((parameter) => /^q=/i.test(parameter));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag, weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((entry) => entry.tag !== '' && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map((entry) => entry.tag);
}

/** The page's language: the first signal, in order of strength, that names a supported language. */
export function negotiateLocale(signals: LocaleSignals): Locale {
  const candidates: Array<string[] | undefined> = [
    signals.query === undefined ? undefined : [signals.query],
    signals.cookie === undefined ? undefined : [signals.cookie],
    signals.uiLocales?.split(/\s+/),
    signals.userLocale === undefined ? undefined : [signals.userLocale.replace(/_/g, '-')],
    signals.acceptLanguage === undefined ? undefined : acceptedLanguages(signals.acceptLanguage),
  ];
  for (const tags of candidates) {
    const found = tags && bestLocale(tags);
    if (found) return found;
  }
  return defaultLocale;
}
