import { currentBranding } from '../branding/page-branding.js';
import { html, raw } from '../views/html.js';
import { messagePage } from '../views/message-page.js';
import { layout } from '../views/layout.js';
import type { KoaContextWithOIDC } from './engine.js';

/** oidc-provider's HTML pages, rendered with Gatehouse's layout and no scripts. */

export async function renderError(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }): Promise<void> {
  ctx.type = 'html';
  const description = out.error_description ?? 'The request could not be completed.';
  ctx.body = messagePage('Something is not right', description, html`<p class="muted">Error code: ${out.error ?? 'server_error'}</p>`);
}

export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const client = ctx.oidc.client;
  const name = client?.clientName ?? client?.clientId;
  const product = currentBranding().productName;
  ctx.type = 'html';
  ctx.body = layout(
    'Sign out',
    html`<h1>Sign out?</h1>
<p>${name ? `Sign out of ${product} after leaving ${name}?` : `Sign out of ${product}?`}</p>
${raw(form)}
<div class="actions">
<button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button class="secondary" type="submit" form="op.logoutForm">Stay signed in</button>
</div>`,
  );
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = messagePage('Signed out', 'You have been signed out.');
}
