import { z } from 'zod';
import type { MessageKey, MessageParams } from '../i18n/catalogue.js';
import { supportedLocales } from '../i18n/locales.js';
import type { Profile } from '../users/user-schema.js';
import { editableClaims, type EditableClaim } from '../views/account-profile-page.js';

/** A refusal of one field, as a text of the catalogue. */
export interface FieldProblem {
  key: MessageKey;
  params?: MessageParams;
}

/** What the form posts: text per claim, blank for "not set". */
const formText = z.string().max(4000).default('');
export const profileFormBody = z.object({
  csrf: z.string().max(200).optional(),
  name: formText, given_name: formText, family_name: formText, nickname: formText, picture: formText, locale: formText, phone_number: formText,
}) satisfies z.ZodType<Record<EditableClaim, string>, unknown>;

/** E.164 as people type it: a plus, then digits, spaces, dots and dashes between them allowed and dropped. */
const phoneShape = /^\+[0-9][0-9 .-]*$/;

/** A refusal carries its catalogue key as the issue's message, and its placeholders as the issue's params. */
const refusal = (key: MessageKey, params?: MessageParams) => ({ message: key, ...(params ? { params } : {}) });

const isHttpsUrl = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
};

/** Each claim's rule: within profileSchema's (user-schema.ts) lengths, and stricter where a person types it. */
const claimRules: Record<EditableClaim, z.ZodType<string>> = {
  name: z.string().refine((value) => [...value].length <= 300, refusal('account.error.tooLong', { max: 300 })),
  given_name: z.string().refine((value) => [...value].length <= 200, refusal('account.error.tooLong', { max: 200 })),
  family_name: z.string().refine((value) => [...value].length <= 200, refusal('account.error.tooLong', { max: 200 })),
  nickname: z.string().refine((value) => [...value].length <= 200, refusal('account.error.tooLong', { max: 200 })),
  picture: z.string().refine((value) => value.length <= 2000, refusal('account.error.tooLong', { max: 2000 })).refine(isHttpsUrl, refusal('account.error.pictureUrl')),
  locale: z.enum(supportedLocales, refusal('account.error.locale')),
  phone_number: z.string()
    .refine((value) => {
      const digits = value.replace(/[^0-9]/g, '').length;
      return phoneShape.test(value) && digits >= 7 && digits <= 15;
    }, refusal('account.error.phone'))
    .transform((value) => value.replace(/[ .-]/g, '')),
};

function checkClaim(claim: EditableClaim, value: string): { problem: FieldProblem } | { value: string } {
  const checked = claimRules[claim].safeParse(value);
  if (checked.success) return { value: checked.data };
  const issue = checked.error.issues[0]!;
  const params = (issue as { params?: MessageParams }).params;
  return { problem: { key: issue.message as MessageKey, ...(params ? { params } : {}) } };
}

/**
 * The profile a form asks for, checked whole: every field's problem, or the claims to set (a
 * blank field removes its claim). Nothing is saved unless every field is right.
 */
export function readProfileForm(form: Record<EditableClaim, string>): { problems: Partial<Record<EditableClaim, FieldProblem>> } | { changes: Partial<Profile>; cleared: EditableClaim[] } {
  const problems: Partial<Record<EditableClaim, FieldProblem>> = {};
  const changes: Partial<Record<EditableClaim, string>> = {};
  const cleared: EditableClaim[] = [];
  for (const claim of editableClaims) {
    const value = form[claim].trim();
    if (value === '') {
      cleared.push(claim);
      continue;
    }
    const checked = checkClaim(claim, value);
    if ('problem' in checked) problems[claim] = checked.problem;
    else changes[claim] = checked.value;
  }
  return Object.keys(problems).length > 0 ? { problems } : { changes, cleared };
}

/** The claims' current values, as the form shows them. */
export function profileFormValues(profile: Profile): Partial<Record<EditableClaim, string>> {
  return Object.fromEntries(editableClaims.flatMap((claim) => (typeof profile[claim] === 'string' ? [[claim, profile[claim]]] : [])));
}
