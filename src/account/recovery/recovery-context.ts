import { currentBranding } from '../../branding/page-branding.js';
import { negotiateLocale } from '../../i18n/negotiate.js';
import { currentPageLocale } from '../../i18n/page-locale.js';
import type { User } from '../../users/user.js';
import type { AccountDeps } from '../account-deps.js';
import type { SignedIn } from '../signed-in.js';
import type { AccountTokens } from './account-tokens.js';
import type { BackgroundSends } from './background-sends.js';
import type { FormCsrf } from './form-csrf.js';
import type { LinkLimits } from './link-limits.js';
import type { MailContext, RecoveryMail } from './recovery-mail.js';

/** What the routes of this area share. */
export interface RecoveryContext {
  deps: AccountDeps;
  tokens: AccountTokens;
  limits: LinkLimits;
  mail: RecoveryMail;
  signedIn: SignedIn;
  /** The forms of /password/… (forgot password, choose a new one). */
  formCsrf: FormCsrf;
  /** The confirmation forms the /email/… links open. */
  linkCsrf: FormCsrf;
  /** The messages sent after an answer. */
  background: BackgroundSends;
}

/**
 * A message's language and product, taken while the request is served: the language the page
 * speaks (`?lang=`, the language cookie, `ui_locales`), else the user's `locale` claim, else
 * the browser's; the product of the request's branding.
 */
export function mailContextOf(user: Pick<User, 'profile'>): MailContext {
  const signals = currentPageLocale()?.signals ?? {};
  return { locale: negotiateLocale({ ...signals, userLocale: user.profile.locale }), product: currentBranding().productName };
}
