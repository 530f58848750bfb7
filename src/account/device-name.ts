import Bowser from 'bowser';
import { t } from '../i18n/page-locale.js';

/** A session's device as a person recognises it, from its User-Agent: "Chrome on Linux", else what is known of it. */
export function deviceName(userAgent: string | undefined): string {
  if (!userAgent) return t('account.sessions.unknownDevice');
  const parser = Bowser.getParser(userAgent);
  const browser = parser.getBrowserName();
  const os = parser.getOSName();
  if (browser && os) return t('account.sessions.device', { browser, os });
  return browser || os || t('account.sessions.unknownDevice');
}
