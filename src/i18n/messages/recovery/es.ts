import type { Catalogue } from '../../catalogue.js';
import type { en } from './en.js';

/** Español (es): recovery. */
export const es = {
} satisfies Catalogue<typeof en>;
