import type { FactorSummary } from '../mfa/factors.js';
import { html, type SafeHtml } from './html.js';
import { currentLocale, t } from '../i18n/page-locale.js';
import { shownPasskeyName } from '../mfa/passkey-names.js';
import { accountNav } from './account-frame.js';
import { layout } from './layout.js';
import { tHtml } from './translated.js';

export interface SecurityPageModel {
  username: string;
  csrfToken: string;
  factors: readonly FactorSummary[];
  /** What the last action did, or why it was not done, in a sentence. */
  notice?: { text: string; error: boolean };
}

const day = (epochMs: number | null) => (epochMs === null ? t('common.never') : new Date(epochMs).toISOString().slice(0, 10));

function removeForm(factor: FactorSummary, csrfToken: string, label: string): SafeHtml {
  return html`<form method="post" action="/account/security/factors/${encodeURIComponent(factor.id)}/remove" class="inline">
<input type="hidden" name="csrf" value="${csrfToken}">
<button class="secondary" type="submit">${label}</button>
</form>`;
}

function passkeyItem(passkey: FactorSummary, csrfToken: string, index: number): SafeHtml {
  const name = shownPasskeyName(passkey, currentLocale());
  return html`<li>
<p><strong>${name}</strong> <span class="muted">${t(passkey.deviceType === 'multiDevice' ? 'security.passkeySynced' : 'security.passkeyDates', { added: day(passkey.createdAt), lastUsed: day(passkey.lastUsedAt) })}</span></p>
<form method="post" action="/account/security/passkeys/${encodeURIComponent(passkey.id)}/rename" class="inline">
<input type="hidden" name="csrf" value="${csrfToken}">
<label for="passkey-name-${index}">${t('security.newName')}</label>
<input id="passkey-name-${index}" name="name" type="text" maxlength="100" required value="${name}">
<button class="secondary" type="submit">${t('security.rename')}</button>
</form>
${removeForm(passkey, csrfToken, t('security.remove'))}
</li>`;
}

/**
 * The signed-in person's second factors: the authenticator app, passkeys (renamed and removed
 * here), and how many recovery codes are left. Adding a factor is a fresh sign-in that ends
 * with setting it up (the links), so that only someone who can sign in now, second factor
 * included, adds one.
 */
export function securityPage(model: SecurityPageModel): string {
  const { factors, csrfToken } = model;
  const app = factors.find((factor) => factor.type === 'totp');
  const passkeys = factors.filter((factor) => factor.type === 'passkey');
  const codes = factors.find((factor) => factor.type === 'recovery_codes');
  const hasFactor = app !== undefined || passkeys.length > 0;
  return layout(t('security.title'), html`${accountNav('security')}
<h1>${t('security.title')}</h1>
<p>${tHtml('security.signedInAs', { username: html`<strong>${model.username}</strong>` })}</p>
${model.notice ? html`<p class="${model.notice.error ? 'error' : 'notice'}" role="${model.notice.error ? 'alert' : 'status'}">${model.notice.text}</p>` : ''}
<section aria-labelledby="app-heading">
<h2 id="app-heading">${t('security.appHeading')}</h2>
${app ? html`<p>${t('security.appOn', { since: day(app.createdAt), lastUsed: day(app.lastUsedAt) })}</p>
${removeForm(app, csrfToken, t('security.removeApp'))}` : html`<p>${t('security.appHelp')}</p>
<p><a class="button" href="/account/security/add/totp">${t('security.setUpApp')}</a></p>`}
</section>
<section aria-labelledby="passkeys-heading">
<h2 id="passkeys-heading">${t('security.passkeysHeading')}</h2>
${passkeys.length > 0 ? html`<ul class="factors">
${passkeys.map((passkey, index) => passkeyItem(passkey, csrfToken, index))}
</ul>` : html`<p>${t('security.passkeysHelp')}</p>`}
<p><a class="button" href="/account/security/add/passkey">${t('security.addPasskey')}</a></p>
</section>
${hasFactor ? html`<section aria-labelledby="codes-heading">
<h2 id="codes-heading">${t('security.codesHeading')}</h2>
<p>${t('security.codesLeft', { count: codes?.remaining ?? 0 })}</p>
<form method="post" action="/account/security/recovery-codes">
<input type="hidden" name="csrf" value="${csrfToken}">
<button class="secondary" type="submit">${t('security.newCodes')}</button>
</form>
</section>` : ''}`);
}
