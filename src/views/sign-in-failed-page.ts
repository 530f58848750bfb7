import type { ErrorCode } from '../errors/codes.js';
import { html } from './html.js';
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
    'Sign-in did not complete',
    html`<h1>Sign-in did not complete</h1>
<p class="error" role="alert">${model.message}</p>
${model.loginPage
    ? html`<p><a href="${model.loginPage}">Back to the sign-in page</a></p>`
    : html`<p>Go back to the application you came from and sign in again.</p>`}
<p class="muted">Error code: ${model.code}</p>`,
  );
}
