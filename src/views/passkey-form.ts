import { passkeyScriptUrl } from '../mfa/passkey-script.js';
import { t } from '../i18n/page-locale.js';
import { html, type SafeHtml } from './html.js';

export interface PasskeyFormModel {
  /** `register` creates a passkey (navigator.credentials.create), `authenticate` uses one (get). */
  mode: 'register' | 'authenticate';
  /** Where the script posts `{ csrf }` as JSON for the ceremony's options. */
  optionsAction: string;
  /** Where the form itself posts `csrf` and `response` (the ceremony's result as JSON), and `name` if asked. */
  verifyAction: string;
  csrfToken: string;
  /** The button's words, e.g. "Sign in with a passkey". */
  label: string;
  /** Registration: a field to name the new passkey (optional; a default name otherwise). */
  nameField?: boolean;
  /** The page's main action (`primary`) or one way among others (`secondary`, the default). */
  emphasis?: 'primary' | 'secondary';
}

/**
 * A passkey button as a form. It is rendered hidden: the passkey script (passkeyScriptTag, which
 * the page must include once) shows it where the browser has WebAuthn, runs the ceremony and
 * submits the form; without JavaScript it stays hidden and the page's other forms work alone.
 * Errors the script meets are said in the form's alert, in the words of its data-message-* attributes.
 */
export function passkeyForm(model: PasskeyFormModel): SafeHtml {
  // The script cannot translate: what it may have to say comes with the form, in the page's language.
  return html`<form method="post" action="${model.verifyAction}" data-passkey="${model.mode}" data-options="${model.optionsAction}" class="passkey" hidden
 data-message-cancelled="${t('passkeyScript.cancelled')}" data-message-registered="${t('passkeyScript.registered')}"
 data-message-unsupported="${t('passkeyScript.unsupported')}" data-message-expired="${t('passkeyScript.expired')}" data-message-failed="${t('passkeyScript.failed')}">
<input type="hidden" name="csrf" value="${model.csrfToken}">
<input type="hidden" name="response" value="">
${model.nameField ? html`<label for="passkey-name">${t('passkey.nameLabel')} <span class="muted">${t('passkey.optional')}</span></label>
<input id="passkey-name" name="name" type="text" maxlength="100" autocomplete="off" placeholder="${t('passkey.namePlaceholder')}">
` : ''}<p class="error" role="alert" data-passkey-error hidden></p>
<button class="${model.emphasis ?? 'secondary'}" type="submit">${model.label}</button>
</form>`;
}

/** The passkey script, same-origin and versioned: the only script the sign-in pages load, after the page is parsed. */
export function passkeyScriptTag(): SafeHtml {
  return html`<script src="${passkeyScriptUrl()}" defer></script>`;
}
