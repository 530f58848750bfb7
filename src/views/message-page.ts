import { html, type SafeHtml } from './html.js';
import { layout, type LayoutOptions } from './layout.js';
import { tHtml } from './translated.js';

/** A page that only says something: errors, sign-out confirmation and its result. */
export function messagePage(title: string, message: string, extra: SafeHtml | string = '', options: LayoutOptions = {}): string {
  return layout(title, html`<h1>${title}</h1>
<p>${message}</p>
${extra}`, options);
}

/**
 * An error for a person: what went wrong and, when the request had several problems, each of
 * them; for a failure on Gatehouse's side, the request's id, which finds it in the log.
 */
export function errorPage(title: string, message: string, problems: ReadonlyArray<{ path: string; message: string }> = [], reference?: string): string {
  const list = problems.length > 0 && html`<ul class="problems">
${problems.map((problem) => html`<li><code>${problem.path}</code>: ${problem.message}</li>`)}
</ul>`;
  const referenceLine = reference !== undefined && html`<p>${tHtml('common.reference', { reference: html`<code>${reference}</code>` })}</p>`;
  // No switcher: its links would repeat the refused request's address and parameters.
  return messagePage(title, message, html`${list || ''}${referenceLine || ''}`, { languageSwitch: false });
}
