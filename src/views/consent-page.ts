import { html } from './html.js';
import { layout } from './layout.js';

export interface ConsentPageModel {
  action: string;
  abortAction: string;
  csrfToken: string;
  applicationName: string;
  username: string;
  scopes: Array<{ name: string; description: string }>;
  /** Single claims the application asks for by name (the `claims` parameter), beyond its scopes. */
  claims: string[];
}

export function consentPage(model: ConsentPageModel): string {
  return layout(
    'Allow access',
    html`<h1>Allow access?</h1>
<p><strong>${model.applicationName}</strong> asks to:</p>
<ul class="scopes">
${model.scopes.map((scope) => html`<li>${scope.description} <span class="muted">(${scope.name})</span></li>`)}
${model.claims.length > 0 && html`<li>Share: ${model.claims.join(', ')}</li>`}
</ul>
<p class="muted">Signed in as ${model.username}.</p>
<div class="actions">
<form method="post" action="${model.action}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<button class="primary" type="submit" name="decision" value="approve">Allow</button>
</form>
<form method="post" action="${model.abortAction}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<button class="secondary" type="submit" name="decision" value="deny">Deny</button>
</form>
</div>`,
  );
}
