import type { OidcConnection } from '../../connections/connection.js';
import { html, type SafeHtml } from '../../views/html.js';
import type { LoginSectionModel } from '../sign-in-method.js';

/**
 * The upstream providers' part of the login page: a button per enabled connection, labelled with
 * its name, each a form posting to the method's start route with the page's CSRF token. Nothing
 * when no connection is enabled.
 */
export function connectionButtons(model: LoginSectionModel, connections: readonly OidcConnection[]): SafeHtml {
  if (connections.length === 0) return html``;
  return html`<section class="connections" aria-labelledby="connections-heading">
<p class="divider" id="connections-heading">Or sign in with</p>
${connections.map((connection) => html`<form method="post" action="${model.basePath}/start">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<input type="hidden" name="connection" value="${connection.id}">
<button class="secondary" type="submit">${connection.name}</button>
</form>
`)}</section>`;
}
