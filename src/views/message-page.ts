import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';

/** A page that only says something: errors, sign-out confirmation and its result. */
export function messagePage(title: string, message: string, extra: SafeHtml | string = ''): string {
  return layout(title, html`<h1>${title}</h1>
<p>${message}</p>
${extra}`);
}
