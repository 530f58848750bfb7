import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';

/** A page that only says something: errors, sign-out confirmation and its result. */
export function messagePage(title: string, message: string, extra: SafeHtml | string = ''): string {
  return layout(title, html`<h1>${title}</h1>
<p>${message}</p>
${extra}`);
}

/** An error for a person: what went wrong and, when the request had several problems, each of them. */
export function errorPage(title: string, message: string, problems: ReadonlyArray<{ path: string; message: string }> = []): string {
  const list = problems.length > 0 && html`<ul class="problems">
${problems.map((problem) => html`<li><code>${problem.path}</code>: ${problem.message}</li>`)}
</ul>`;
  return messagePage(title, message, list || '');
}
