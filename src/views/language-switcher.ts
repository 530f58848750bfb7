import { languageNames, languageParameter, supportedLocales } from '../i18n/locales.js';
import { currentLocale, t } from '../i18n/page-locale.js';
import { html, type SafeHtml } from './html.js';

/** `target` with `?lang=` set to `locale`, every other parameter kept (and an earlier `lang` replaced). */
export function withLanguage(target: string, locale: string): string {
  const url = new URL(target, 'http://gatehouse.invalid');
  url.searchParams.set(languageParameter, locale);
  // A path that begins with two slashes would be read as another host's address.
  return `${url.pathname.replace(/^\/+/, '/')}${url.search}`;
}

/**
 * Links to the same page in each language, plain links that need no script: following one sets
 * the language cookie (http/locale.ts) and shows the page in that language. Each language is
 * named in itself, marked with `lang` so that screen readers say it right, and the current one is
 * `aria-current`.
 */
export function languageSwitcher(target: string): SafeHtml {
  const current = currentLocale();
  return html`<nav class="languages" aria-label="${t('page.languages')}">
<ul>
${supportedLocales.map((locale) => html`<li><a href="${withLanguage(target, locale)}" lang="${locale}" hreflang="${locale}"${locale === current ? html` aria-current="true"` : ''}>${languageNames[locale]}</a></li>\n`)}</ul>
</nav>`;
}
