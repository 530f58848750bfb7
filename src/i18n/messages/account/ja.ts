import type { Catalogue } from '../../catalogue.js';
import type { en } from './en.js';

/** 日本語 (ja): account. */
export const ja = {
} satisfies Catalogue<typeof en>;
