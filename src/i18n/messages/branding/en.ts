/**
 * English texts of what per-application branding adds to the pages: this area's source catalogue, merged into
 * catalogue.ts's MessageKey; every other language of this folder translates it.
 */
export const en = {
} as const;
