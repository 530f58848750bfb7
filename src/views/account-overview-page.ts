import type { MessageKey } from '../i18n/catalogue.js';
import { t } from '../i18n/page-locale.js';
import { accountPage, type PageNotice } from './account-frame.js';
import { html } from './html.js';
import { tHtml } from './translated.js';

export interface AccountOverviewModel {
  username: string;
  email: string | undefined;
  notice?: PageNotice;
}

const entries: ReadonlyArray<{ href: string; label: MessageKey; help: MessageKey }> = [
  { href: '/account/profile', label: 'account.nav.profile', help: 'account.overview.profile' },
  { href: '/account/password', label: 'account.nav.password', help: 'account.overview.password' },
  { href: '/account/email', label: 'account.nav.email', help: 'account.overview.email' },
  { href: '/account/security', label: 'account.nav.security', help: 'account.overview.security' },
  { href: '/account/sessions', label: 'account.nav.sessions', help: 'account.overview.sessions' },
  { href: '/account/applications', label: 'account.nav.applications', help: 'account.overview.applications' },
  { href: '/account/identities', label: 'account.nav.identities', help: 'account.overview.identities' },
];

/** `/account`: who is signed in, and what each account page is for. */
export function accountOverviewPage(model: AccountOverviewModel): string {
  return accountPage('overview', t('account.overview.title'), html`<p>${tHtml('account.overview.signedInAs', { username: html`<strong>${model.username}</strong>` })}
${model.email ? t('account.overview.emailIs', { email: model.email }) : t('account.overview.noEmail')}</p>
<ul class="account-pages">
${entries.map((entry) => html`<li><a href="${entry.href}">${t(entry.label)}</a> <span class="muted">${t(entry.help)}</span></li>`)}
</ul>`, model.notice);
}
