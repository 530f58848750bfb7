import type { Catalogue } from '../../catalogue.js';
import type { en } from './en.js';

/** Español (es): account. */
export const es = {
} satisfies Catalogue<typeof en>;
