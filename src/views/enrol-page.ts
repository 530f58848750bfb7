import { html, type SafeHtml } from './html.js';
import { t } from '../i18n/page-locale.js';
import { layout } from './layout.js';
import { tHtml } from './translated.js';

export interface EnrolPageModel {
  /** `/interaction/<uid>/mfa`: where the page's forms post. */
  basePath: string;
  csrfToken: string;
  abortAction: string;
  /** Why a factor is being set up, in a sentence. */
  reason: string;
  /** Setting up an authenticator app: its secret as text and as a QR code (an SVG made here, no request elsewhere). */
  totp?: { secret: string; qrCode: SafeHtml };
  /** The passkey registration button, when a passkey may be set up. */
  passkey?: SafeHtml;
  error?: string;
}

const errorId = 'enrol-error';

/** Groups of four characters, as authenticator apps show secrets, so that one typed by hand can be checked. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/**
 * Setting up a second factor inside a sign-in: an authenticator app (scan or type the secret,
 * then prove it with one code: no factor counts before that) or a passkey.
 */
export function enrolPage(model: EnrolPageModel): string {
  const described = model.error ? html` aria-describedby="${errorId}"` : '';
  return layout(t('enrol.title'), html`<h1>${t('enrol.title')}</h1>
<p>${model.reason}</p>
${model.error ? html`<p class="error" role="alert" id="${errorId}">${model.error}</p>` : ''}
${model.passkey ? html`<section aria-labelledby="passkey-heading">
<h2 id="passkey-heading">${t('enrol.passkeyHeading')}</h2>
<p class="muted">${t('enrol.passkeyHelp')}</p>
${model.passkey}
</section>` : ''}
${model.totp ? html`<section aria-labelledby="totp-heading">
<h2 id="totp-heading">${t('enrol.appHeading')}</h2>
<p>${t('enrol.scan')}</p>
<figure class="qr">${model.totp.qrCode}</figure>
<p>${tHtml('enrol.key', { key: html`<code class="secret">${grouped(model.totp.secret)}</code>` })}</p>
<form method="post" action="${model.basePath}/enrol/totp" novalidate>
<input type="hidden" name="csrf" value="${model.csrfToken}">
<label for="totp-code">${t('enrol.codeLabel')}</label>
<input id="totp-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="12" required${described}>
<button class="primary" type="submit">${t('enrol.turnOn')}</button>
</form>
</section>` : ''}
<form method="post" action="${model.abortAction}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<div class="actions"><button class="secondary" type="submit">${t('common.cancel')}</button></div>
</form>`);
}
