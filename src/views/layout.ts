import { html, type SafeHtml } from './html.js';

export const stylesheetPath = '/assets/gatehouse.css';

/** The page frame shared by every server-rendered page: no scripts, one local stylesheet. */
export function layout(title: string, body: SafeHtml): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · Gatehouse</title>
<link rel="stylesheet" href="${stylesheetPath}">
</head>
<body>
<main class="card">
${body}
</main>
</body>
</html>`.value;
}
