import type { FactorSummary } from '../mfa/factors.js';
import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';

export interface SecurityPageModel {
  username: string;
  csrfToken: string;
  factors: readonly FactorSummary[];
  /** What the last action did, or why it was not done, in a sentence. */
  notice?: { text: string; error: boolean };
}

const day = (epochMs: number | null) => (epochMs === null ? 'never' : new Date(epochMs).toISOString().slice(0, 10));

function removeForm(factor: FactorSummary, csrfToken: string, label: string): SafeHtml {
  return html`<form method="post" action="/account/security/factors/${encodeURIComponent(factor.id)}/remove" class="inline">
<input type="hidden" name="csrf" value="${csrfToken}">
<button class="secondary" type="submit">${label}</button>
</form>`;
}

function passkeyItem(passkey: FactorSummary, csrfToken: string, index: number): SafeHtml {
  return html`<li>
<p><strong>${passkey.name}</strong> <span class="muted">added ${day(passkey.createdAt)}, last used ${day(passkey.lastUsedAt)}${passkey.deviceType === 'multiDevice' ? ', synced between your devices' : ''}</span></p>
<form method="post" action="/account/security/passkeys/${encodeURIComponent(passkey.id)}/rename" class="inline">
<input type="hidden" name="csrf" value="${csrfToken}">
<label for="passkey-name-${index}">New name</label>
<input id="passkey-name-${index}" name="name" type="text" maxlength="100" required value="${passkey.name}">
<button class="secondary" type="submit">Rename</button>
</form>
${removeForm(passkey, csrfToken, 'Remove')}
</li>`;
}

/**
 * The signed-in person's second factors: the authenticator app, passkeys (renamed and removed
 * here), and how many recovery codes are left. Adding a factor is a fresh sign-in that ends
 * with setting it up (the links), so that only someone who can sign in now, second factor
 * included, adds one.
 */
export function securityPage(model: SecurityPageModel): string {
  const { factors, csrfToken } = model;
  const app = factors.find((factor) => factor.type === 'totp');
  const passkeys = factors.filter((factor) => factor.type === 'passkey');
  const codes = factors.find((factor) => factor.type === 'recovery_codes');
  const hasFactor = app !== undefined || passkeys.length > 0;
  return layout('Sign-in security', html`<h1>Sign-in security</h1>
<p>Signed in as <strong>${model.username}</strong>.</p>
${model.notice ? html`<p class="${model.notice.error ? 'error' : 'notice'}" role="${model.notice.error ? 'alert' : 'status'}">${model.notice.text}</p>` : ''}
<section aria-labelledby="app-heading">
<h2 id="app-heading">Authenticator app</h2>
${app ? html`<p>On since ${day(app.createdAt)}, last used ${day(app.lastUsedAt)}.</p>
${removeForm(app, csrfToken, 'Remove the authenticator app')}` : html`<p>Codes from an app on your phone, as a second factor.</p>
<p><a class="button" href="/account/security/add/totp">Set up an authenticator app</a></p>`}
</section>
<section aria-labelledby="passkeys-heading">
<h2 id="passkeys-heading">Passkeys</h2>
${passkeys.length > 0 ? html`<ul class="factors">
${passkeys.map((passkey, index) => passkeyItem(passkey, csrfToken, index))}
</ul>` : html`<p>Sign in with your device's screen lock or a security key; they cannot be phished.</p>`}
<p><a class="button" href="/account/security/add/passkey">Add a passkey</a></p>
</section>
${hasFactor ? html`<section aria-labelledby="codes-heading">
<h2 id="codes-heading">Recovery codes</h2>
<p>${codes?.remaining ?? 0} unused recovery codes left.</p>
<form method="post" action="/account/security/recovery-codes">
<input type="hidden" name="csrf" value="${csrfToken}">
<button class="secondary" type="submit">Make new recovery codes</button>
</form>
</section>` : ''}`);
}
