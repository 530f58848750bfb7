import { t } from '../i18n/page-locale.js';
import { accountPage, type PageNotice } from './account-frame.js';
import { html, type SafeHtml } from './html.js';

export type PasswordField = 'current' | 'password' | 'confirm';

export interface AccountPasswordModel {
  csrfToken: string;
  /** False for an account without a password (linked sign-ins, passkeys): one is set without a current one. */
  hasPassword: boolean;
  minLength: number;
  errors: Partial<Record<PasswordField, string>>;
  notice?: PageNotice;
}

function passwordInput(model: AccountPasswordModel, name: PasswordField, label: string, autocomplete: string): SafeHtml {
  const error = model.errors[name];
  return html`<label for="${name}">${label}</label>
<input id="${name}" name="${name}" type="password" autocomplete="${autocomplete}" required${error ? html` aria-invalid="true" aria-describedby="${name}-error"` : ''}>
${error ? html`<p class="error" id="${name}-error">${error}</p>` : ''}`;
}

/** `/account/password`: the current password, then the new one twice; the other sessions end with the change. */
export function accountPasswordPage(model: AccountPasswordModel): string {
  return accountPage('password', t('account.password.title'), html`${model.hasPassword ? '' : html`<p>${t('account.password.noPassword')}</p>`}
<p>${t('account.password.rules', { min: model.minLength })}</p>
<p class="muted">${t('account.password.othersSignedOut')}</p>
<form method="post" action="/account/password" novalidate>
<input type="hidden" name="csrf" value="${model.csrfToken}">
${model.hasPassword ? passwordInput(model, 'current', t('account.password.current'), 'current-password') : ''}
${passwordInput(model, 'password', t('account.password.new'), 'new-password')}
${passwordInput(model, 'confirm', t('account.password.confirm'), 'new-password')}
<div class="actions"><button class="primary" type="submit">${t(model.hasPassword ? 'account.password.change' : 'account.password.set')}</button></div>
</form>`, model.notice);
}
