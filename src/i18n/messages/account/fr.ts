import type { Catalogue } from '../../catalogue.js';
import type { en } from './en.js';

/** Français (fr): account. */
export const fr = {
} satisfies Catalogue<typeof en>;
