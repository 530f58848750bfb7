import { translate, type MessageKey, type MessageParams } from '../i18n/catalogue.js';

/**
 * Why a sign-in through another site gets no account here (upstream-accounts.ts,
 * partner-accounts.ts): a text of the catalogues and what fills it, so that the login page and
 * the connection test say it in the page's language, and the audit log in English.
 */
export interface AccountRefusal {
  key: Extract<MessageKey, `accountRefused.${string}`>;
  params: MessageParams;
}

/** The refusal as administrators read it (audit log, logs). */
export function inEnglish(refusal: AccountRefusal): string {
  return translate('en', refusal.key, refusal.params);
}
