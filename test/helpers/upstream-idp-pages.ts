/**
 * The pages of the test upstream (upstream-idp.ts): what a user of Okta or OneLogin sees, reduced
 * to forms the cookie-jar driver (browser.ts) submits. No password: the upstream's own login is
 * not what is under test, only that it answers for the user named and nobody else.
 */
import type { IncomingMessage } from 'node:http';

/** The forms a test submits at the upstream: `browser.submit(page, upstreamForms.signIn, { username })`. */
export const upstreamForms = {
  /** Field `username`: a user's `sub`, `preferred_username` or `email`; prefilled with the `login_hint` received. */
  signIn: 'form#upstream-sign-in',
  /** The user cancels: the application gets `error=access_denied`. */
  cancel: 'form#upstream-cancel',
  /** oidc-provider's logout confirmation (it asks, as Keycloak does; Okta does not). */
  signOut: '#upstream-sign-out form',
} as const;

export function signInPage(uid: string, name: string, username: string, error: string | undefined): string {
  const base = `/signin/${encodeURIComponent(uid)}`;
  return page(
    `Sign in to ${name}`,
    `${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form id="upstream-sign-in" method="post" action="${base}/submit">
  <label>Username <input name="username" value="${escapeHtml(username)}"></label>
  <button type="submit">Sign in</button>
</form>
<form id="upstream-cancel" method="post" action="${base}/cancel"><button type="submit">Cancel</button></form>`,
  );
}

/** The engine's confirmation form (action and xsrf token), with the answer "sign me out everywhere". */
export function signOutPage(engineForm: string): string {
  const form = engineForm.replace('</form>', '<input type="hidden" name="logout" value="yes"><button type="submit">Sign out</button></form>');
  return page('Sign out', `<main id="upstream-sign-out">${form}</main>`);
}

export function messagePage(title: string, message: string): string {
  return page(title, `<p class="error">${escapeHtml(message)}</p>`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An urlencoded form body, as the login form posts it. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  req.setEncoding('utf8');
  for await (const chunk of req) body += chunk as string;
  return new URLSearchParams(body);
}
