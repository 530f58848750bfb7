import { html } from './html.js';
import { t } from '../i18n/page-locale.js';
import { isMessageKey } from '../i18n/catalogue.js';
import { standardScopes } from '../scopes/standard-scopes.js';
import { layout } from './layout.js';
import { tHtml } from './translated.js';

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

/**
 * A standard scope in the page's language; a custom scope, or a standard one an administrator
 * described anew, in the words it was given.
 */
function describedIn(scope: { name: string; description: string }): string {
  const standard = (standardScopes as Record<string, { description: string } | undefined>)[scope.name];
  const key = `scope.${scope.name}`;
  return standard?.description === scope.description && isMessageKey(key) ? t(key) : scope.description;
}

export function consentPage(model: ConsentPageModel): string {
  return layout(
    t('consent.title'),
    html`<h1>${t('consent.heading')}</h1>
<p>${tHtml('consent.asksTo', { application: html`<strong>${model.applicationName}</strong>` })}</p>
<ul class="scopes">
${model.scopes.map((scope) => html`<li>${describedIn(scope)} <span class="muted">(${scope.name})</span></li>`)}
${model.claims.length > 0 && html`<li>${t('consent.share', { claims: model.claims.join(', ') })}</li>`}
</ul>
<p class="muted">${t('consent.signedInAs', { username: model.username })}</p>
<div class="actions">
<form method="post" action="${model.action}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<button class="primary" type="submit" name="decision" value="approve">${t('consent.allow')}</button>
</form>
<form method="post" action="${model.abortAction}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<button class="secondary" type="submit" name="decision" value="deny">${t('consent.deny')}</button>
</form>
</div>`,
  );
}
