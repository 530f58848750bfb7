import type { MessageKey } from '../i18n/catalogue.js';
import { t } from '../i18n/page-locale.js';
import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';

/** The account pages, in the order the navigation and the overview list them, with the overview's line on each. */
export const accountSections = [
  { id: 'overview', href: '/account', label: 'account.nav.overview' },
  { id: 'profile', href: '/account/profile', label: 'account.nav.profile', help: 'account.overview.profile' },
  { id: 'password', href: '/account/password', label: 'account.nav.password', help: 'account.overview.password' },
  { id: 'email', href: '/account/email', label: 'account.nav.email', help: 'account.overview.email' },
  { id: 'security', href: '/account/security', label: 'account.nav.security', help: 'account.overview.security' },
  { id: 'sessions', href: '/account/sessions', label: 'account.nav.sessions', help: 'account.overview.sessions' },
  { id: 'applications', href: '/account/applications', label: 'account.nav.applications', help: 'account.overview.applications' },
  { id: 'identities', href: '/account/identities', label: 'account.nav.identities', help: 'account.overview.identities' },
] as const satisfies ReadonlyArray<{ id: string; href: string; label: MessageKey; help?: MessageKey }>;

export type AccountSection = (typeof accountSections)[number]['id'];

/** What the last action did, or why it was not done, in a sentence. */
export interface PageNotice {
  text: string;
  error: boolean;
}

/** Links between the account pages, the current one marked; plain links, no script. */
export function accountNav(current: AccountSection): SafeHtml {
  return html`<nav class="account" aria-label="${t('account.nav.label')}"><ul>
${accountSections.map((section) => html`<li><a href="${section.href}"${section.id === current ? html` aria-current="page"` : ''}>${t(section.label)}</a></li>`)}
</ul></nav>`;
}

export function noticeLine(notice: PageNotice | undefined): SafeHtml | '' {
  return notice ? html`<p class="${notice.error ? 'error' : 'notice'}" role="${notice.error ? 'alert' : 'status'}">${notice.text}</p>` : '';
}

/** `2026-12-09 10:00 UTC`: the same for every reader, whatever their language. */
export function utcMinute(epochMs: number | undefined): string {
  return epochMs === undefined ? t('account.unknown') : `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Every account page: the layout, the navigation between the pages, its heading and its notice. */
export function accountPage(current: AccountSection, title: string, body: SafeHtml, notice?: PageNotice): string {
  return layout(title, html`${accountNav(current)}
<h1>${title}</h1>
${noticeLine(notice)}
${body}`);
}
