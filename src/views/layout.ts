import type { Branding } from '../branding/branding.js';
import { logoPath } from '../branding/branding.js';
import { currentBranding } from '../branding/page-branding.js';
import { html, type SafeHtml } from './html.js';
import { stylesheetUrl } from './stylesheet.js';

/** The product's logo, named by its alt text, or its name in words when it has none. */
function brandLine(branding: Branding): SafeHtml {
  const mark = branding.logo ? html`<img src="${logoPath(branding.logo)}" alt="${branding.productName}">` : branding.productName;
  return html`<header class="brand">${mark}</header>`;
}

/**
 * The page frame shared by every server-rendered page: no scripts, no inline styles, one local
 * stylesheet with the branding's colour built in, and the branding of the request being served
 * (page-branding.ts), as the database holds it.
 */
export function layout(title: string, body: SafeHtml): string {
  const branding = currentBranding();
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · ${branding.productName}</title>
<link rel="stylesheet" href="${stylesheetUrl(branding.primaryColor)}">
</head>
<body>
<main class="card">
${brandLine(branding)}
${body}
</main>
</body>
</html>`.value;
}
