import { t } from '../i18n/page-locale.js';
import { accountPage, utcMinute, type PageNotice } from './account-frame.js';
import { html, type SafeHtml } from './html.js';

/** A session as the list shows it: its device already named ("Chrome on Linux"), never its cookie. */
export interface SessionItem {
  uid: string;
  device: string;
  ipAddress: string | undefined;
  createdAt: number | undefined;
  lastSeenAt: number | undefined;
  current: boolean;
}

export interface AccountSessionsModel {
  csrfToken: string;
  sessions: readonly SessionItem[];
  notice?: PageNotice;
}

function sessionItem(session: SessionItem, csrfToken: string): SafeHtml {
  return html`<li${session.current ? html` aria-current="true"` : ''}>
<p><strong>${session.device}</strong>${session.current ? html` <span class="current">(${t('account.sessions.current')})</span>` : ''}</p>
<p class="muted">${t('account.sessions.address', { ip: session.ipAddress ?? t('account.unknown') })} · ${t('account.sessions.times', { created: utcMinute(session.createdAt), lastSeen: utcMinute(session.lastSeenAt) })}</p>
${session.current ? '' : html`<form method="post" action="/account/sessions/${encodeURIComponent(session.uid)}/end" class="inline">
<input type="hidden" name="csrf" value="${csrfToken}">
<button class="secondary" type="submit">${t('account.sessions.signOut')}</button>
</form>`}
</li>`;
}

/** `/account/sessions`: the browsers signed in to the account, this one marked; each other one signed out, or all of them. */
export function accountSessionsPage(model: AccountSessionsModel): string {
  const others = model.sessions.filter((session) => !session.current).length;
  return accountPage('sessions', t('account.sessions.title'), html`<p>${t('account.sessions.help')}</p>
<ul class="factors sessions">
${model.sessions.map((session) => sessionItem(session, model.csrfToken))}
</ul>
${others > 0 ? html`<form method="post" action="/account/sessions/end-others">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<button class="secondary" type="submit">${t('account.sessions.signOutOthers')}</button>
</form>` : html`<p>${t('account.sessions.none')}</p>`}`, model.notice);
}
