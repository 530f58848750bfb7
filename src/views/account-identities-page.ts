import { t } from '../i18n/page-locale.js';
import { accountPage, utcMinute, type PageNotice } from './account-frame.js';
import { html, type SafeHtml } from './html.js';

/** A sign-in at another issuer linked to the account: the connection's name when one names the issuer, else the issuer. */
export interface IdentityItem {
  issuer: string;
  subject: string;
  provider: string;
  linkedAt: number;
}

export interface AccountIdentitiesModel {
  csrfToken: string;
  identities: readonly IdentityItem[];
  notice?: PageNotice;
}

function identityItem(identity: IdentityItem, csrfToken: string): SafeHtml {
  return html`<li>
<p><strong>${identity.provider}</strong> <span class="muted">${t('account.identities.item', { subject: identity.subject, date: utcMinute(identity.linkedAt) })}</span></p>
<form method="post" action="/account/identities/unlink" class="inline">
<input type="hidden" name="csrf" value="${csrfToken}">
<input type="hidden" name="issuer" value="${identity.issuer}">
<input type="hidden" name="subject" value="${identity.subject}">
<button class="secondary" type="submit">${t('account.identities.unlink')}</button>
</form>
</li>`;
}

/** `/account/identities`: the sign-ins through other providers linked to the account; one is unlinked unless it is the last way in. */
export function accountIdentitiesPage(model: AccountIdentitiesModel): string {
  return accountPage('identities', t('account.identities.title'), html`<p>${t('account.identities.help')}</p>
${model.identities.length > 0 ? html`<ul class="factors identities">
${model.identities.map((identity) => identityItem(identity, model.csrfToken))}
</ul>` : html`<p>${t('account.identities.none')}</p>`}`, model.notice);
}
