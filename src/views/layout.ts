import type { Branding } from '../branding/branding.js';
import { logoPath } from '../branding/branding.js';
import { currentBranding } from '../branding/page-branding.js';
import { textDirection } from '../i18n/locales.js';
import { currentLocale, currentPageLocale } from '../i18n/page-locale.js';
import { html, type SafeHtml } from './html.js';
import { languageSwitcher } from './language-switcher.js';
import { stylesheetUrl } from './stylesheet.js';

/** The logo, named by its alt text, or the name in words when there is none. */
function brandLine(branding: Branding): SafeHtml {
  const mark = branding.logo ? html`<img src="${logoPath(branding.logo)}" alt="${branding.displayName}">` : branding.displayName;
  return html`<header class="brand">${mark}</header>`;
}

export interface LayoutOptions {
  /**
   * Where the language switcher leads: by default the request's own page (a GET) or the safe
   * address its route named (page-locale.ts); `false` for a page that must not be loaded again
   * (recovery codes shown once, a callback that would be replayed).
   */
  languageSwitch?: string | false;
}

/**
 * The page frame shared by every server-rendered page: no scripts, no inline styles, one local
 * stylesheet with the branding's colours built in, a local icon, and the branding of the request
 * being served (page-branding.ts, an application's own over the global one in its sign-in), as
 * the database holds it; in the request's language (page-locale.ts), with
 * the switcher to the others at the bottom.
 */
export function layout(title: string, body: SafeHtml, options: LayoutOptions = {}): string {
  const branding = currentBranding();
  const locale = currentLocale();
  const target = options.languageSwitch === undefined ? currentPageLocale()?.switcherTarget : options.languageSwitch || undefined;
  return html`<!DOCTYPE html>
<html lang="${locale}" dir="${textDirection[locale]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · ${branding.displayName}</title>
<link rel="icon" href="${branding.iconPath}">
<link rel="stylesheet" href="${stylesheetUrl(branding)}">
</head>
<body>
<main class="card">
${brandLine(branding)}
${body}
${target === undefined ? '' : languageSwitcher(target)}
</main>
</body>
</html>`.value;
}
