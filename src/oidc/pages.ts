import { currentBranding } from '../branding/page-branding.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { currentLocale, t } from '../i18n/page-locale.js';
import { html, raw } from '../views/html.js';
import { messagePage } from '../views/message-page.js';
import { layout } from '../views/layout.js';
import type { KoaContextWithOIDC } from './engine.js';

/** oidc-provider's HTML pages, rendered with Gatehouse's layout and no scripts, in the request's language. */

/**
 * The engine's errors in words for the person who sees them: what happened, and what they can
 * do, which is mostly to go back and tell the application's administrator. Errors with no words
 * of their own say the generic ones; the engine's description follows, for whoever reads the code.
 */
const explained: Record<string, { what: MessageKey; next: MessageKey }> = {
  invalid_client: { what: 'oauth.invalid_client', next: 'oauth.invalid_client.next' },
  invalid_redirect_uri: { what: 'oauth.invalid_redirect_uri', next: 'oauth.invalid_redirect_uri.next' },
  redirect_uri_mismatch: { what: 'oauth.invalid_redirect_uri', next: 'oauth.invalid_redirect_uri.next' },
  invalid_request: { what: 'oauth.invalid_request', next: 'oauth.invalid_request.next' },
  invalid_request_object: { what: 'oauth.invalid_request', next: 'oauth.invalid_request.next' },
  invalid_request_uri: { what: 'oauth.invalid_request', next: 'oauth.invalid_request.next' },
  invalid_scope: { what: 'oauth.invalid_scope', next: 'oauth.next' },
  unauthorized_client: { what: 'oauth.unauthorized_client', next: 'oauth.next' },
  unsupported_response_type: { what: 'oauth.unsupported_response_type', next: 'oauth.next' },
  unsupported_response_mode: { what: 'oauth.unsupported_response_type', next: 'oauth.next' },
  access_denied: { what: 'oauth.access_denied', next: 'oauth.access_denied.next' },
  login_required: { what: 'oauth.login_required', next: 'oauth.next' },
  interaction_required: { what: 'oauth.login_required', next: 'oauth.next' },
  consent_required: { what: 'oauth.consent_required', next: 'oauth.next' },
  unmet_authentication_requirements: { what: 'oauth.unmet_authentication_requirements', next: 'oauth.unmet_authentication_requirements.next' },
  session_not_found: { what: 'oauth.session_expired', next: 'oauth.access_denied.next' },
  invalid_session: { what: 'oauth.session_expired', next: 'oauth.access_denied.next' },
  server_error: { what: 'oauth.server_error', next: 'oauth.server_error.next' },
  temporarily_unavailable: { what: 'error.unavailable', next: 'oauth.server_error.next' },
};

function setLanguage(ctx: KoaContextWithOIDC): void {
  ctx.type = 'html';
  ctx.set('content-language', currentLocale());
}

/**
 * An error page has no language switcher: its links would repeat the refused request's
 * parameters (an unregistered redirect address among them) on this site's page.
 */
const noSwitcher = { languageSwitch: false } as const;

export async function renderError(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }): Promise<void> {
  setLanguage(ctx);
  const code = out.error ?? 'server_error';
  const words = explained[code] ?? { what: 'oauth.other', next: 'oauth.next' };
  const engineWords = out.error_description && code !== 'server_error' ? html`<p class="muted">${t('oauth.details', { description: out.error_description })}</p>` : '';
  ctx.body = messagePage(t('oauth.title'), t(words.what), html`<p>${t(words.next)}</p>
${engineWords}<p class="muted">${t('common.errorCode', { code })}</p>`, noSwitcher);
}

export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const client = ctx.oidc.client;
  const name = client?.clientName ?? client?.clientId;
  const product = currentBranding().productName;
  setLanguage(ctx);
  ctx.body = layout(
    t('logout.title'),
    html`<h1>${t('logout.heading')}</h1>
<p>${name ? t('logout.questionAfter', { product, application: name }) : t('logout.question', { product })}</p>
${raw(form)}
<div class="actions">
<button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>${t('logout.confirm')}</button>
<button class="secondary" type="submit" form="op.logoutForm">${t('logout.stay')}</button>
</div>`,
  );
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  setLanguage(ctx);
  ctx.body = messagePage(t('signedOut.title'), t('signedOut.message'));
}

