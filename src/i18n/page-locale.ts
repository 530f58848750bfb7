import { AsyncLocalStorage } from 'node:async_hooks';
import { translate, type MessageKey, type MessageParams } from './catalogue.js';
import { defaultLocale, type Locale } from './locales.js';
import { negotiateLocale, type LocaleSignals } from './negotiate.js';

/**
 * The language of the page being served, as page-branding.ts holds its branding: the HTTP layer
 * (http/locale.ts) enters it once per request, the views ask `t()` without a locale threaded
 * through every call. The signals may grow while the request runs (an interaction's `ui_locales`
 * and its user's `locale` are known only once it is loaded), so the locale is worked out again
 * when one is added.
 */
export interface PageLocale {
  signals: LocaleSignals;
  locale: Locale;
  /**
   * Where the language switcher's links lead (with `?lang=` added): the page's own address for
   * a GET, a safe GET address a route names for the answer to a form, none where reloading
   * would do something (a callback, codes shown once).
   */
  switcherTarget: string | undefined;
}

const scope = new AsyncLocalStorage<PageLocale>();

export function pageLocale(signals: LocaleSignals, switcherTarget: string | undefined): PageLocale {
  return { signals, locale: negotiateLocale(signals), switcherTarget };
}

/** Runs `work`, and everything it starts, in this page's language. */
export function inPageLocale<T>(page: PageLocale, work: () => T): T {
  return scope.run(page, work);
}

/** The state of the request being served, if it is a page's. */
export function currentPageLocale(): PageLocale | undefined {
  return scope.getStore();
}

/** The language of the page being rendered; English outside any request that asked for a page. */
export function currentLocale(): Locale {
  return scope.getStore()?.locale ?? defaultLocale;
}

/** Adds what became known about the request (`ui_locales`, the user's `locale`) and works the language out again. */
export function addLocaleSignals(signals: Pick<LocaleSignals, 'uiLocales' | 'userLocale'>): void {
  const page = scope.getStore();
  if (!page) return;
  page.signals = { ...page.signals, ...Object.fromEntries(Object.entries(signals).filter(([, value]) => value !== undefined)) };
  page.locale = negotiateLocale(page.signals);
}

/** Where the language switcher's links lead on this page; undefined shows no switcher. */
export function setSwitcherTarget(target: string | undefined): void {
  const page = scope.getStore();
  if (page) page.switcherTarget = target;
}

/** The text of `key` in the page's language (plain text: the view escapes it). */
export function t(key: MessageKey, params?: MessageParams): string {
  return translate(currentLocale(), key, params);
}
