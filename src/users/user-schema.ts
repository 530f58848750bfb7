import { z } from 'zod';
import { normalizeIdentifier } from './normalize.js';
import { importedHashProblem } from './imported-hash.js';

const address = z
  .object({
    formatted: z.string().optional(),
    street_address: z.string().optional(),
    locality: z.string().optional(),
    region: z.string().optional(),
    postal_code: z.string().optional(),
    country: z.string().optional(),
  })
  .strict();

/** The standard OIDC profile claims a user may carry (OpenID Connect Core §5.1). */
export const profileSchema = z
  .object({
    name: z.string().max(300).optional(),
    given_name: z.string().max(200).optional(),
    family_name: z.string().max(200).optional(),
    middle_name: z.string().max(200).optional(),
    nickname: z.string().max(200).optional(),
    preferred_username: z.string().max(200).optional(),
    profile: z.string().url().optional(),
    picture: z.string().url().optional(),
    website: z.string().url().optional(),
    email_verified: z.boolean().optional(),
    gender: z.string().max(100).optional(),
    birthdate: z.string().regex(/^\d{4}(-\d{2}-\d{2})?$/, 'must be YYYY or YYYY-MM-DD').optional(),
    zoneinfo: z.string().max(100).optional(),
    locale: z.string().max(35).optional(),
    phone_number: z.string().max(50).optional(),
    phone_number_verified: z.boolean().optional(),
    address: address.optional(),
  })
  .strict();

export type Profile = z.output<typeof profileSchema>;

export const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

/** A user as an administrator declares it in the configuration file. */
export const userInputSchema = profileSchema
  .extend({
    // Compared and stored normalized (NFKC can lengthen a name): blank is nobody anyone can type, and the stored columns hold 200 and 320 characters.
    username: z.string().min(1).max(100)
      .refine((name) => normalizeIdentifier(name) !== '', 'blank')
      .refine((name) => normalizeIdentifier(name).length <= 200, 'longer than 200 characters once normalized'),
    email: z.string().email().refine((email) => normalizeIdentifier(email).length <= 320, 'longer than 320 characters').optional(),
    password: z.string().optional(),
    /** A hash from another system, kept as it is: whole, and not too costly to verify at every sign-in attempt (src/users/imported-hash.ts). */
    password_hash: z
      .string()
      .superRefine((hash, context) => {
        const problem = importedHashProblem(hash);
        if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    groups: z.array(z.string().min(1).max(200)).default([]),
    attributes: z.record(z.string(), attributeValue).default({}),
    disabled: z.boolean().default(false),
  })
  .strict()
  .refine((u) => !(u.password !== undefined && u.password_hash !== undefined), {
    message: 'give either password or password_hash, not both',
    path: ['password'],
  });

export type UserDeclaration = z.output<typeof userInputSchema>;
