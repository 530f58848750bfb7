import { html } from './html.js';
import { layout } from './layout.js';

export interface RecoveryCodesPageModel {
  codes: readonly string[];
  /** Where the page goes on: a form post (with `csrf`) inside a sign-in, or a link back to the security page. */
  next: { action: string; csrfToken: string } | { href: string };
}

/**
 * The recovery codes, shown this once: Gatehouse keeps only their hashes. The page says so and
 * asks the person to store them before going on.
 */
export function recoveryCodesPage(model: RecoveryCodesPageModel): string {
  const { next } = model;
  return layout('Save your recovery codes', html`<h1>Save your recovery codes</h1>
<p>If you lose your authenticator, each of these codes signs you in once instead. Store them somewhere safe, such as a password manager.
This is the only time they are shown; any older codes no longer work.</p>
<ul class="codes">
${model.codes.map((code) => html`<li><code>${code}</code></li>\n`)}</ul>
${'href' in next ? html`<p><a class="button primary" href="${next.href}">I saved them, go back</a></p>` : html`<form method="post" action="${next.action}">
<input type="hidden" name="csrf" value="${next.csrfToken}">
<button class="primary" type="submit">I saved them, continue</button>
</form>`}`);
}
