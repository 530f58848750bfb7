import { t } from '../i18n/page-locale.js';
import { accountPage, utcMinute, type PageNotice } from './account-frame.js';
import { html, type SafeHtml } from './html.js';

/** An application the person allowed, with what it may obtain. */
export interface ApplicationItem {
  clientId: string;
  name: string;
  scopes: string[];
  since: number | undefined;
}

export interface AccountApplicationsModel {
  csrfToken: string;
  applications: readonly ApplicationItem[];
  notice?: PageNotice;
}

function applicationItem(application: ApplicationItem, csrfToken: string): SafeHtml {
  return html`<li>
<p><strong>${application.name}</strong> <span class="muted">${t('account.apps.since', { date: utcMinute(application.since) })}</span></p>
<p>${t('account.apps.scopes', { scopes: application.scopes.join(', ') })}</p>
<form method="post" action="/account/applications/${encodeURIComponent(application.clientId)}/revoke" class="inline">
<input type="hidden" name="csrf" value="${csrfToken}">
<button class="secondary" type="submit">${t('account.apps.revoke')}</button>
</form>
</li>`;
}

/** `/account/applications`: the applications the person consented to, each one's access withdrawn here. */
export function accountApplicationsPage(model: AccountApplicationsModel): string {
  return accountPage('applications', t('account.apps.title'), html`<p>${t('account.apps.help')}</p>
${model.applications.length > 0 ? html`<ul class="factors applications">
${model.applications.map((application) => applicationItem(application, model.csrfToken))}
</ul>` : html`<p>${t('account.apps.none')}</p>`}`, model.notice);
}
