import type { FastifyBaseLogger } from 'fastify';
import { currentBranding } from '../branding/page-branding.js';
import type { AccountNoticeKind } from '../email/templates/account-notices.js';
import { isGatehouseError } from '../errors/gatehouse-error.js';
import { currentLocale } from '../i18n/page-locale.js';
import type { Clock } from '../runtime/clock.js';
import type { Services } from '../services.js';
import { utcMinute } from '../views/account-frame.js';

export interface NotifyOwnerDeps {
  services: Pick<Services, 'email' | 'users'>;
  clock: Clock;
  publicOrigin: string;
}

/**
 * Tells the owner of an account, by email, of a sensitive change made to it (docs/account.md,
 * Notifications), in their own language, else the page's. The change is made already and stays
 * made whatever happens here: without SMTP settings or an address nothing is queued (and no page
 * claims otherwise), and any other failure to queue is logged, never shown as the change failing.
 */
export function createOwnerNotifier({ services, clock, publicOrigin }: NotifyOwnerDeps) {
  return async function notifyOwner(userId: string, notice: AccountNoticeKind, log: FastifyBaseLogger, extra: { issuer?: string } = {}): Promise<void> {
    const user = await services.users.findById(userId);
    if (!user?.email) return;
    try {
      await services.email.queue({
        to: user.email,
        template: 'account_notice',
        locale: user.profile.locale ?? currentLocale(),
        userId,
        params: { notice, product: currentBranding().productName, origin: publicOrigin, username: user.username, time: utcMinute(clock.now()), ...extra },
      });
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'email_not_configured') return;
      log.warn({ err: error, notice }, 'an account notice could not be queued');
    }
  };
}

export type NotifyOwner = ReturnType<typeof createOwnerNotifier>;
