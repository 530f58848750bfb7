import { html, type SafeHtml } from './html.js';
import { t } from '../i18n/page-locale.js';
import { layout } from './layout.js';
import { tHtml } from './translated.js';

/** The id of the page's error message, which sections point their inputs at. */
export const loginErrorId = 'login-error';

export interface LoginPageModel {
  abortAction: string;
  csrfToken: string;
  applicationName: string;
  error?: string;
  /** One per sign-in method, in order: the first is the page's own form (the password), the others offer other ways (buttons), each possibly empty. */
  sections: SafeHtml[];
  /** Sections shown right under the first, not among the other ways: the passkey button, which is only there where a script shows it. */
  besideFirst?: SafeHtml[];
}

export function loginPage(model: LoginPageModel): string {
  const [first, ...rest] = model.sections;
  // One divider above every other way to sign in, however many methods offer one.
  const others = rest.filter((section) => section.value.trim() !== '');
  return layout(
    t('login.title'),
    html`<h1>${t('login.title')}</h1>
<p>${tHtml('login.continueTo', { application: html`<strong>${model.applicationName}</strong>` })}</p>
${model.error ? html`<p class="error" role="alert" id="${loginErrorId}">${model.error}</p>` : ''}
${first ?? ''}
${first && first.value.trim() !== '' ? html`<p class="forgot"><a href="/password/forgot">${t('recovery.forgotLink')}</a></p>
` : ''}${(model.besideFirst ?? []).map((section) => html`${section}\n`)}${others.length > 0 ? html`<section class="connections" aria-labelledby="connections-heading">
<p class="divider" id="connections-heading">${t('login.orSignInWith')}</p>
${others.map((section) => html`${section}\n`)}</section>
` : ''}<form method="post" action="${model.abortAction}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<div class="actions"><button class="secondary" type="submit">${t('common.cancel')}</button></div>
</form>`,
  );
}
