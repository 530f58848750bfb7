/**
 * The form in which user names and email addresses are compared: Unicode NFKC (so fullwidth
 * "ａｌｉｃｅ" is "alice"), surrounding space removed, lower case.
 */
export function normalizeIdentifier(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}
