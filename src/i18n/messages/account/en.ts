/**
 * English texts of the /account pages (profile, password, email, sessions, applications, linked identities) and their notification emails: this area's source catalogue, merged into
 * catalogue.ts's MessageKey; every other language of this folder translates it.
 */
export const en = {
} as const;
