/**
 * English texts of verifying an email address, changing it, and resetting a forgotten password: pages and emails: this area's source catalogue, merged into
 * catalogue.ts's MessageKey; every other language of this folder translates it.
 */
export const en = {
} as const;
