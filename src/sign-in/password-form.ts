import { t } from '../i18n/page-locale.js';
import { html, type SafeHtml } from '../views/html.js';
import type { LoginSectionModel } from './sign-in-method.js';

/** The password method's section of the login page: user name or email, and password. */
export function passwordForm(model: LoginSectionModel): SafeHtml {
  return html`<form method="post" action="${model.basePath}/login" novalidate>
<input type="hidden" name="csrf" value="${model.csrfToken}">
<label for="username">${t('login.username')}</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required
 value="${model.username ?? ''}"${model.username ? '' : html` autofocus`}${model.errorId ? html` aria-describedby="${model.errorId}"` : ''}>
<label for="password">${t('login.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${model.username ? html` autofocus` : ''}>
<button class="primary" type="submit">${t('login.submit')}</button>
</form>`;
}
