import { html } from './html.js';
import { t } from '../i18n/page-locale.js';
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
  return layout(t('recoveryCodes.title'), html`<h1>${t('recoveryCodes.title')}</h1>
<p>${t('recoveryCodes.explain')}
${t('recoveryCodes.once')}</p>
<ul class="codes">
${model.codes.map((code) => html`<li><code>${code}</code></li>\n`)}</ul>
${'href' in next ? html`<p><a class="button primary" href="${next.href}">${t('recoveryCodes.savedGoBack')}</a></p>` : html`<form method="post" action="${next.action}">
<input type="hidden" name="csrf" value="${next.csrfToken}">
<button class="primary" type="submit">${t('recoveryCodes.savedContinue')}</button>
</form>`}`, { languageSwitch: false }); // shown once: loading the page again would not show them
}
