import { t } from '../i18n/page-locale.js';
import { html } from './html.js';
import { layout } from './layout.js';

export const emailPagePath = '/account/email';

export interface EmailPageModel {
  csrfToken: string;
  email: string | undefined;
  verified: boolean;
  /** What the last action did, or why it was not done. */
  notice?: { text: string; error: boolean };
}

/** `/account/email`: the address and whether it is verified, a verification link, and a change of address confirmed from the new one. */
export function emailPage(model: EmailPageModel): string {
  const { csrfToken, email } = model;
  return layout(t('recovery.emailPage.title'), html`<h1>${t('recovery.emailPage.title')}</h1>
${model.notice ? html`<p class="${model.notice.error ? 'error' : 'notice'}" role="${model.notice.error ? 'alert' : 'status'}">${model.notice.text}</p>` : ''}
${email === undefined ? html`<p>${t('recovery.emailPage.none')}</p>` : html`<p id="current-email">${t('recovery.emailPage.current', { email })} ${t(model.verified ? 'recovery.emailPage.verified' : 'recovery.emailPage.unverified')}</p>
${model.verified ? '' : html`<form method="post" action="${emailPagePath}/verify">
<input type="hidden" name="csrf" value="${csrfToken}">
<button class="secondary" type="submit">${t('recovery.emailPage.sendVerification')}</button>
</form>`}`}
<section aria-labelledby="change-heading">
<h2 id="change-heading">${t('recovery.emailPage.changeHeading')}</h2>
<p>${t('recovery.emailPage.changeHelp')}</p>
<form method="post" action="${emailPagePath}/change" novalidate>
<input type="hidden" name="csrf" value="${csrfToken}">
<label for="email">${t('recovery.emailPage.newAddress')}</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="320">
<button class="primary" type="submit">${t('recovery.emailPage.change')}</button>
</form>
</section>`, { languageSwitch: emailPagePath });
}

export interface EmailLinkPageModel {
  /** Verifying the account's address, or confirming a new one. */
  purpose: 'verify' | 'change';
  /** Where the button posts (/email/verify, /email/change); the token goes in the form, not the address. */
  action: string;
  token: string;
  csrfToken: string;
  /** The address the link was sent to: what its holder knows already. */
  email: string;
}

/**
 * The page an /email/… link opens: the address and one button. Opening the link changes nothing
 * (a mail scanner fetching it uses nothing up); the button's post does.
 */
export function emailLinkPage(model: EmailLinkPageModel): string {
  const title = t(model.purpose === 'verify' ? 'recovery.confirm.verifyTitle' : 'recovery.confirm.changeTitle');
  return layout(title, html`<h1>${title}</h1>
<p>${t(model.purpose === 'verify' ? 'recovery.confirm.verifyBody' : 'recovery.confirm.changeBody', { email: model.email })}</p>
<form method="post" action="${model.action}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<input type="hidden" name="token" value="${model.token}">
<button class="primary" type="submit">${t(model.purpose === 'verify' ? 'recovery.confirm.verifyButton' : 'recovery.confirm.changeButton')}</button>
</form>`, { languageSwitch: false });
}
