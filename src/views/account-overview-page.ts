import { t } from '../i18n/page-locale.js';
import { accountPage, accountSections, type PageNotice } from './account-frame.js';
import { html } from './html.js';
import { tHtml } from './translated.js';

export interface AccountOverviewModel {
  username: string;
  email: string | undefined;
  notice?: PageNotice;
}

/** `/account`: who is signed in, and what each account page is for. */
export function accountOverviewPage(model: AccountOverviewModel): string {
  return accountPage('overview', t('account.overview.title'), html`<p>${tHtml('account.overview.signedInAs', { username: html`<strong>${model.username}</strong>` })}
${model.email ? t('account.overview.emailIs', { email: model.email }) : t('account.overview.noEmail')}</p>
<ul class="account-pages">
${accountSections.flatMap((entry) => ('help' in entry ? [html`<li><a href="${entry.href}">${t(entry.label)}</a> <span class="muted">${t(entry.help)}</span></li>`] : []))}
</ul>`, model.notice);
}
