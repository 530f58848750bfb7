import { t } from '../i18n/page-locale.js';
import { html } from './html.js';
import { layout } from './layout.js';

export interface ResetPasswordPageModel {
  /** The form's own address, /password/reset/{token}. */
  action: string;
  csrfToken: string;
  username: string;
  error?: string;
}

/** The page a reset link opens: the new password, twice. */
export function resetPasswordPage(model: ResetPasswordPageModel): string {
  return layout(t('recovery.reset.title'), html`<h1>${t('recovery.reset.title')}</h1>
<p>${t('recovery.reset.intro', { username: model.username })}</p>
${model.error ? html`<p class="error" role="alert" id="reset-error">${model.error}</p>` : ''}
<form method="post" action="${model.action}" novalidate>
<input type="hidden" name="csrf" value="${model.csrfToken}">
<input type="text" name="username" autocomplete="username" value="${model.username}" hidden>
<label for="password">${t('recovery.reset.password')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required autofocus${model.error ? html` aria-describedby="reset-error"` : ''}>
<label for="confirm">${t('recovery.reset.confirm')}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
<button class="primary" type="submit">${t('recovery.reset.submit')}</button>
</form>`, { languageSwitch: false });
}
