import { html } from './html.js';
import { layout } from './layout.js';

export interface LoginPageModel {
  action: string;
  abortAction: string;
  csrfToken: string;
  applicationName: string;
  username?: string;
  error?: string;
}

export function loginPage(model: LoginPageModel): string {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
<p>to continue to <strong>${model.applicationName}</strong></p>
${model.error ? html`<p class="error" role="alert" id="login-error">${model.error}</p>` : ''}
<form method="post" action="${model.action}" novalidate>
<input type="hidden" name="csrf" value="${model.csrfToken}">
<label for="username">Username or email</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required
 value="${model.username ?? ''}"${model.username ? '' : html` autofocus`}${model.error ? html` aria-describedby="login-error"` : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${model.username ? html` autofocus` : ''}>
<button class="primary" type="submit">Sign in</button>
</form>
<form method="post" action="${model.abortAction}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<div class="actions"><button class="secondary" type="submit">Cancel</button></div>
</form>`,
  );
}
