import { defaults } from '../../config/defaults.js';
import type { AccountTokenPurpose } from '../../db/database.js';
import type { Locale } from '../../i18n/locales.js';
import type { Services } from '../../services.js';
import type { User } from '../../users/user.js';
import type { AccountTokens } from './account-tokens.js';

/** What every message names: the product (the request's branding) and the language it is written in. */
export interface MailContext {
  locale: Locale;
  product: string;
}

export const verifyPath = '/email/verify';
export const changePath = '/email/change';
export const resetPath = '/password/reset';

/**
 * The messages of this area, each queued in the outbox (which refuses with email_not_configured
 * while there are no SMTP settings: the callers say so on the page). A link message issues its
 * token first, voiding the user's earlier link of the same purpose; its address is
 * GATEHOUSE_PUBLIC_URL's, never the request's Host.
 */
export function createRecoveryMail({ services, tokens, publicOrigin }: { services: Pick<Services, 'email'>; tokens: AccountTokens; publicOrigin: string }) {
  const common = (user: User, context: MailContext) => ({ product: context.product, origin: publicOrigin, username: user.username });

  async function link(purpose: AccountTokenPurpose, path: string, user: User, to: string, seconds: number): Promise<string> {
    return `${publicOrigin}${path}/${await tokens.issue(purpose, user, to, seconds)}`;
  }

  return {
    /** Email is configured: a link can be sent at all. */
    available: async (): Promise<boolean> => (await services.email.settings.get()).smtp !== null,

    async verification(user: User & { email: string }, context: MailContext): Promise<void> {
      const seconds = defaults.recovery.verifyLinkSeconds;
      const url = await link('verify_email', verifyPath, user, user.email, seconds);
      await services.email.queue({
        to: user.email, template: 'verify_email', locale: context.locale, userId: user.id,
        params: { ...common(user, context), url, email: user.email, hours: seconds / 3600 },
      });
    },

    async changeConfirmation(user: User, newEmail: string, context: MailContext): Promise<void> {
      const seconds = defaults.recovery.verifyLinkSeconds;
      const url = await link('change_email', changePath, user, newEmail, seconds);
      await services.email.queue({
        to: newEmail, template: 'confirm_new_email', locale: context.locale, userId: user.id,
        params: { ...common(user, context), url, email: newEmail, hours: seconds / 3600 },
      });
    },

    async addressChanged(user: User, oldEmail: string, newEmail: string, context: MailContext): Promise<void> {
      await services.email.queue({
        to: oldEmail, template: 'email_changed', locale: context.locale, userId: user.id,
        params: { ...common(user, context), old: oldEmail, new: newEmail },
      });
    },

    async reset(user: User & { email: string }, context: MailContext): Promise<void> {
      const seconds = defaults.recovery.resetLinkSeconds;
      const url = await link('reset_password', resetPath, user, user.email, seconds);
      await services.email.queue({
        to: user.email, template: 'reset_password', locale: context.locale, userId: user.id,
        params: { ...common(user, context), url, email: user.email, minutes: seconds / 60 },
      });
    },

    async passwordWasReset(user: User & { email: string }, context: MailContext): Promise<void> {
      await services.email.queue({ to: user.email, template: 'password_was_reset', locale: context.locale, userId: user.id, params: common(user, context) });
    },
  };
}

export type RecoveryMail = ReturnType<typeof createRecoveryMail>;
