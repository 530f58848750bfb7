import { t } from '../../i18n/page-locale.js';
import type { PasswordRuleBroken } from '../../users/password-policy.js';

/** The rule a new password broke, as the page's language says it: the reset page and /account/password share these texts. */
export function passwordRuleText(broken: PasswordRuleBroken): string {
  switch (broken.rule) {
    case 'tooShort': return t('recovery.policy.tooShort', { min: broken.min });
    case 'tooLong': return t('recovery.policy.tooLong', { max: broken.max });
    case 'common': return t('recovery.policy.common');
    case 'repeats': return t('recovery.policy.repeats');
  }
}
