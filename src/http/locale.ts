import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { bestLocale } from '../i18n/negotiate.js';
import { languageCookie, languageParameter } from '../i18n/locales.js';
import { addLocaleSignals, currentLocale, inPageLocale, pageLocale, setSwitcherTarget } from '../i18n/page-locale.js';
import { wantsHtml } from './error-responses.js';

export interface LocalizedPagesOptions {
  /** Gatehouse is served over https: the language cookie is marked Secure. */
  secure: boolean;
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = pair.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      // A cookie value no browser of ours wrote (a malformed %-escape) names no language.
      return undefined;
    }
  }
  return undefined;
}

function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = new URLSearchParams(request.url.split('?')[1] ?? '').get(name);
  return value ?? undefined;
}

/**
 * The language of the pages. Every request that may be answered with a page (text/html in
 * Accept, as for the branding) is served in the scope of its language (i18n/page-locale.ts),
 * worked out from `?lang=`, the `gatehouse_lang` cookie, a `ui_locales` in the query (the
 * engine's authorization and logout requests) and `Accept-Language`; the interaction routes add
 * the interaction's `ui_locales` and the user's `locale` once they know them (useLocale). A
 * supported `?lang=` is remembered in the cookie: the switcher's links need no script. Every page
 * says its language in Content-Language (the engine's pages set it themselves, oidc/pages.ts,
 * since the engine writes on the raw response). On the root scope (fastify-plugin): register it
 * before the routes that render pages.
 */
export const localizedPages = fp<LocalizedPagesOptions>(
  async (app, { secure }) => {
    app.addHook('onRequest', (request, reply, done) => {
      if (!wantsHtml(request)) return done();
      const query = queryValue(request, languageParameter);
      const picked = query === undefined ? undefined : bestLocale([query]);
      if (picked) {
        const attributes = ['Path=/', `Max-Age=${languageCookie.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
        // On the raw response, so that it also reaches the engine's pages, which Fastify does not send.
        reply.raw.appendHeader('set-cookie', `${languageCookie.name}=${picked}; ${attributes.join('; ')}`);
      }
      const page = pageLocale({
        query: picked,
        cookie: cookieValue(request, languageCookie.name),
        uiLocales: queryValue(request, 'ui_locales'),
        acceptLanguage: request.headers['accept-language'],
      }, request.method === 'GET' || request.method === 'HEAD' ? request.url : undefined);
      // Entered by one call without a promise, as the branding's scope is: everything after continues in it.
      inPageLocale(page, done);
    });

    app.addHook('onSend', async (_request, reply, payload) => {
      const type = reply.getHeader('content-type');
      if (typeof type === 'string' && type.startsWith('text/html')) reply.header('content-language', currentLocale());
      return payload;
    });
  },
  { name: 'gatehouse-locale' },
);

/**
 * What an interaction route learns once it has loaded the interaction: the application's
 * `ui_locales` and, when the user is known, their `locale` claim; and the safe GET address the
 * page's language switcher leads to when the page answers a form (the interaction's own page).
 */
export function useLocale(signals: { uiLocales?: string | undefined; userLocale?: string | undefined; switcherTarget?: string }): void {
  addLocaleSignals({ uiLocales: signals.uiLocales, userLocale: signals.userLocale });
  if (signals.switcherTarget !== undefined) setSwitcherTarget(signals.switcherTarget);
}
