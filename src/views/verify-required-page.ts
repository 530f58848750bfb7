import { t } from '../i18n/page-locale.js';
import { html } from './html.js';
import { layout } from './layout.js';

export interface VerifyRequiredPageModel {
  applicationName: string;
  /** The user's address; undefined when the account has none (then nothing can be sent). */
  email: string | undefined;
  /** Where the send button posts; absent once sent. */
  action?: string;
  csrfToken: string;
  notice?: { text: string; error: boolean };
}

/** A sign-in stopped because the application requires a verified email address: says so, and offers the link. */
export function verifyRequiredPage(model: VerifyRequiredPageModel): string {
  const { email, applicationName: application } = model;
  return layout(t('recovery.required.title'), html`<h1>${t('recovery.required.title')}</h1>
${model.notice ? html`<p class="${model.notice.error ? 'error' : 'notice'}" role="${model.notice.error ? 'alert' : 'status'}">${model.notice.text}</p>` : ''}
${email === undefined ? html`<p class="error" role="alert">${t('recovery.required.noEmail', { application })}</p>` : html`<p>${t('recovery.required.body', { application, email })}</p>
${model.action ? html`<form method="post" action="${model.action}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<button class="primary" type="submit">${t('recovery.required.send')}</button>
</form>` : ''}`}`, { languageSwitch: false });
}
