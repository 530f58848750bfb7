import type { Catalogue } from '../../catalogue.js';
import type { en } from './en.js';

/** Français (fr): branding. */
export const fr = {
} satisfies Catalogue<typeof en>;
