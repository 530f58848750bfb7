import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';

/** The id of the page's error message, which sections point their inputs at. */
export const loginErrorId = 'login-error';

export interface LoginPageModel {
  abortAction: string;
  csrfToken: string;
  applicationName: string;
  error?: string;
  /** One per sign-in method, in order: each a form or a button. */
  sections: SafeHtml[];
}

export function loginPage(model: LoginPageModel): string {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
<p>to continue to <strong>${model.applicationName}</strong></p>
${model.error ? html`<p class="error" role="alert" id="${loginErrorId}">${model.error}</p>` : ''}
${model.sections.map((section) => html`${section}\n`)}<form method="post" action="${model.abortAction}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<div class="actions"><button class="secondary" type="submit">Cancel</button></div>
</form>`,
  );
}
