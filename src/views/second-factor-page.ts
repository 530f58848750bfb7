import { html, type SafeHtml } from './html.js';
import { t } from '../i18n/page-locale.js';
import { layout } from './layout.js';

export interface SecondFactorPageModel {
  /** `/interaction/<uid>/mfa`: where the page's forms post. */
  basePath: string;
  csrfToken: string;
  abortAction: string;
  applicationName: string;
  /** The user has an authenticator app that this sign-in accepts. */
  totp: boolean;
  /** Unused recovery codes this sign-in accepts (0: the form is not offered). */
  recoveryCodes: number;
  /** The passkey button (a hidden form the passkey script shows), when the user has a passkey. */
  passkey: SafeHtml | undefined;
  /** Why a second factor is asked, in a sentence. */
  reason: string;
  error?: string;
}

const errorId = 'second-factor-error';

/**
 * The second step of a sign-in: a code from the authenticator app, the passkey, or a recovery
 * code. Each is its own form, and every form but the passkey's works without JavaScript.
 */
export function secondFactorPage(model: SecondFactorPageModel): string {
  const described = model.error ? html` aria-describedby="${errorId}"` : '';
  return layout(t('mfa.title'), html`<h1>${t('mfa.title')}</h1>
<p>${model.reason}</p>
${model.error ? html`<p class="error" role="alert" id="${errorId}">${model.error}</p>` : ''}
${model.passkey ?? ''}
${model.totp ? html`<form method="post" action="${model.basePath}/totp" novalidate>
<input type="hidden" name="csrf" value="${model.csrfToken}">
<label for="totp-code">${t('mfa.codeLabel')}</label>
<input id="totp-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="12" required autofocus${described}>
<button class="primary" type="submit">${t('mfa.verify')}</button>
</form>` : ''}
${model.recoveryCodes > 0 ? html`<details class="recovery">
<summary>${t('mfa.useRecoveryCode')}</summary>
<form method="post" action="${model.basePath}/recovery-code" novalidate>
<input type="hidden" name="csrf" value="${model.csrfToken}">
<label for="recovery-code">${t('mfa.recoveryCodeLabel')}</label>
<input id="recovery-code" name="code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="40" required${described}>
<p class="muted">${t('mfa.recoveryCodesLeft', { count: model.recoveryCodes })}</p>
<button class="secondary" type="submit">${t('mfa.submitRecoveryCode')}</button>
</form>
</details>` : ''}
<form method="post" action="${model.abortAction}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<div class="actions"><button class="secondary" type="submit">${t('common.cancel')}</button></div>
</form>`);
}
