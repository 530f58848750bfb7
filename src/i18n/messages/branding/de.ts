import type { Catalogue } from '../../catalogue.js';
import type { en } from './en.js';

/** Deutsch (de): branding. */
export const de = {
} satisfies Catalogue<typeof en>;
