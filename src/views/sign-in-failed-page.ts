import type { ErrorCode } from '../errors/codes.js';
import { html } from './html.js';
import { t } from '../i18n/page-locale.js';
import { layout } from './layout.js';

export interface SignInFailedModel {
  /** What happened, in words for the person signing in. */
  message: string;
  /** The login page of the interaction, when this browser can still go back to it. */
  loginPage: string | undefined;
  /** What an administrator searches the logs and docs/errors.md for. */
  code: ErrorCode;
}

/**
 * Where a sign-in through another site ends when it cannot go on: what happened and the way
 * back to the login page, or to the application when the interaction is not this browser's.
 */
export function signInFailedPage(model: SignInFailedModel): string {
  return layout(
    t('signInFailed.title'),
    html`<h1>${t('signInFailed.title')}</h1>
<p class="error" role="alert">${model.message}</p>
${model.loginPage
    ? html`<p><a href="${model.loginPage}">${t('signInFailed.back')}</a></p>`
    : html`<p>${t('signInFailed.startAgain')}</p>`}
<p class="muted">${t('common.errorCode', { code: model.code })}</p>`,
    // The switcher leads to the login page, never to the callback this page answered (which would be used twice).
    { languageSwitch: model.loginPage ?? false },
  );
}
