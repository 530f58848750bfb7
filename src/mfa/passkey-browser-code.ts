/**
 * The sign-in pages' own script, sent after @simplewebauthn/browser in one file
 * (passkey-script.ts). Plain ES2017 for the browser, kept as text because the server only serves
 * it: no build step, the same from src/ (tests) and from the bundle (`npm start`).
 *
 * It turns each `form[data-passkey]` (views/passkey-form.ts) into a passkey button. The forms
 * are rendered hidden and shown only where WebAuthn exists, so that a browser without it, or
 * without JavaScript, never sees a button that cannot work. A press fetches the options
 * (same-origin JSON post with the form's CSRF token), runs the ceremony, puts its result in the
 * hidden `response` field and submits the form as a normal post: the server answers with a
 * redirect or a page, as for every other form. A failure (cancelled, timed out, refused) is said
 * in the form's alert and nothing is submitted. The words come from the form's data-message-*
 * attributes, which the server renders in the page's language: this file is the same for every
 * language, so that a browser keeps one copy.
 *
 * No backticks or dollar-brace in here: this is the inside of a template literal.
 */
export const passkeyBrowserCode = String.raw`
(function () {
  'use strict';
  var webauthn = window.SimpleWebAuthnBrowser;
  if (!window.PublicKeyCredential || !window.fetch || !webauthn) return;

  // Refusals of the options request that reloading the page cures: the sign-in or the form's token is stale.
  var staleCodes = ['csrf_invalid', 'interaction_expired'];

  function kindOf(error) {
    var name = error && (error.name || '');
    var code = error && (error.code || '');
    if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError') return 'registered';
    if (name === 'NotAllowedError' || name === 'AbortError') return 'cancelled';
    if (name === 'NotSupportedError' || name === 'SecurityError') return 'unsupported';
    if (error && staleCodes.indexOf(error.problem) !== -1) return 'expired';
    return 'failed';
  }

  function messageFor(form, error) {
    return form.getAttribute('data-message-' + kindOf(error)) || form.getAttribute('data-message-failed') || '';
  }

  function field(form, name) {
    return form.querySelector('input[name="' + name + '"]');
  }

  function showError(form, text) {
    var slot = form.querySelector('[data-passkey-error]');
    if (!slot) return;
    slot.textContent = text;
    slot.hidden = false;
  }

  function clearError(form) {
    var slot = form.querySelector('[data-passkey-error]');
    if (!slot) return;
    slot.textContent = '';
    slot.hidden = true;
  }

  function fetchOptions(form) {
    var csrf = field(form, 'csrf');
    return fetch(form.getAttribute('data-options'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ csrf: csrf ? csrf.value : '' })
    }).then(function (answer) {
      return answer.json().catch(function () { return {}; }).then(function (body) {
        if (answer.ok) return body;
        // A problem document (the sign-in expired, the CSRF token is stale): its code says which; its detail is English.
        var failure = new Error('options refused');
        failure.problem = body && typeof body.code === 'string' ? body.code : '';
        throw failure;
      });
    });
  }

  function start(form, button) {
    var mode = form.getAttribute('data-passkey');
    clearError(form);
    button.disabled = true;
    fetchOptions(form).then(function (optionsJSON) {
      return mode === 'register'
        ? webauthn.startRegistration({ optionsJSON: optionsJSON })
        : webauthn.startAuthentication({ optionsJSON: optionsJSON });
    }).then(function (result) {
      field(form, 'response').value = JSON.stringify(result);
      // submit(), not requestSubmit(): no submit event, so this handler does not run again.
      form.submit();
    }).catch(function (error) {
      button.disabled = false;
      showError(form, messageFor(form, error));
    });
  }

  function enhance(form) {
    var button = form.querySelector('button[type="submit"], button:not([type])');
    if (!button || !field(form, 'response')) return;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (!button.disabled) start(form, button);
    });
    form.hidden = false;
  }

  function enhanceAll() {
    var forms = document.querySelectorAll('form[data-passkey]');
    for (var i = 0; i < forms.length; i++) enhance(forms[i]);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', enhanceAll);
  else enhanceAll();
})();
`;
