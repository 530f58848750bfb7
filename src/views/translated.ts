import type { MessageKey } from '../i18n/catalogue.js';
import { t } from '../i18n/page-locale.js';
import { escapeHtml, html, SafeHtml } from './html.js';

/**
 * A text of the page's language with markup in its placeholders (`{application}` in bold): the
 * text is escaped, each value is escaped unless it is SafeHtml, as the `html` tag does. The
 * translation decides where the values go, so a language may put them in its own order.
 */
export function tHtml(key: MessageKey, params: Readonly<Record<string, SafeHtml | string | number>>): SafeHtml {
  const text = t(key);
  let out = '';
  let last = 0;
  for (const found of text.matchAll(/\{([A-Za-z0-9_]+)\}/g)) {
    const value = params[found[1]!];
    if (value === undefined) continue;
    out += escapeHtml(text.slice(last, found.index)) + html`${value}`.value;
    last = found.index + found[0].length;
  }
  return new SafeHtml(out + escapeHtml(text.slice(last)));
}
