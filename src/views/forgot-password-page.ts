import { t } from '../i18n/page-locale.js';
import { html } from './html.js';
import { layout } from './layout.js';

export interface ForgotPasswordPageModel {
  csrfToken: string;
  /** Why the request was not taken, in a sentence. */
  error?: string;
}

/** `/password/forgot`: an email address or a user name, for a link to choose a new password. */
export function forgotPasswordPage(model: ForgotPasswordPageModel): string {
  return layout(t('recovery.forgot.title'), html`<h1>${t('recovery.forgot.title')}</h1>
<p>${t('recovery.forgot.intro')}</p>
${model.error ? html`<p class="error" role="alert">${model.error}</p>` : ''}
<form method="post" action="/password/forgot" novalidate>
<input type="hidden" name="csrf" value="${model.csrfToken}">
<label for="identifier">${t('recovery.forgot.identifier')}</label>
<input id="identifier" name="identifier" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus maxlength="320">
<button class="primary" type="submit">${t('recovery.forgot.submit')}</button>
</form>`);
}
