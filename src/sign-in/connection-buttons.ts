import type { Connection } from '../connections/connection.js';
import { html, type SafeHtml } from '../views/html.js';
import type { LoginSectionModel } from './sign-in-method.js';

/**
 * A method's connections on the login page (upstream providers, partners): a button per enabled
 * connection, labelled with its name, each a form posting to the method's start route with the
 * page's CSRF token. Nothing when no connection is enabled. The page puts every method's buttons
 * under one "Or sign in with" (views/login-page.ts).
 */
export function connectionButtons(model: LoginSectionModel, connections: ReadonlyArray<Pick<Connection, 'id' | 'name'>>): SafeHtml {
  return html`${connections.map((connection) => html`<form method="post" action="${model.basePath}/start">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<input type="hidden" name="connection" value="${connection.id}">
<button class="secondary" type="submit">${connection.name}</button>
</form>
`)}`;
}
