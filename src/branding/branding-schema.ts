import { z } from 'zod';
import { defaults } from '../config/defaults.js';
import { upstreamUrl } from '../connections/connection-schema.js';
import { contrastWithWhite, formatRatio } from './contrast.js';

const { minContrastRatio } = defaults.branding;
export const hexColor = /^#[0-9a-fA-F]{6}$/;

/** A stored colour as it may be written into CSS or SVG, lower-case; anything else (a row changed by hand) gives way to `fallback`. */
export const writableColor = (value: string, fallback: string): string => (hexColor.test(value) ? value.toLowerCase() : fallback);

/** Shown in the title of every page and on its brand line; a control character would show as nothing, or break the line. */
export const productName = z.string().min(1).max(60)
  .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters (line breaks, tabs, NUL…)')
  // An empty name is refused by min(1) already: one message per problem.
  .refine((value) => value === '' || value.trim() !== '', 'must not be blank')
  .describe('The product people sign in to: each page\'s title and brand line, and the logo\'s alt text. 1 to 60 characters, no control characters.');

/** The buttons are drawn with white text on this colour, so it must be dark enough for that text to be read. */
export const primaryColor = z.string()
  .regex(hexColor, 'must be a colour written #rrggbb, such as #1d4ed8')
  .superRefine((value, context) => {
    // Zod runs refinements after a failed check too; that one has said what is wrong already.
    if (!hexColor.test(value)) return;
    const ratio = contrastWithWhite(value);
    if (ratio >= minContrastRatio) return;
    context.addIssue({
      code: 'custom',
      message: `has a contrast ratio of ${formatRatio(ratio)} with white text, below the ${minContrastRatio}:1 that the buttons' white labels need (WCAG 2.2 AA): choose a darker colour`,
    });
  })
  .describe(`The accent of the pages: buttons (drawn with white text on it) and focus rings. \`#rrggbb\`, with at least ${minContrastRatio}:1 contrast against white.`);

/** Fetched once when set, through the outbound guard; the pages then serve it from Gatehouse. */
const logoUrl = upstreamUrl.max(2000).nullable()
  .describe(`Where Gatehouse fetches the logo, once, now: an https URL of a PNG, JPEG, GIF, WebP or SVG image of at most ${defaults.branding.maxLogoBytes / 1024} KiB. null removes the logo.`);

/** A change of the branding: each field given replaces its value, each left out keeps it. */
export const brandingChangeSchema = z.object({
  product_name: productName.optional(),
  primary_color: primaryColor.optional(),
  logo_url: logoUrl.optional(),
}).strict();

export type BrandingChangeInput = z.output<typeof brandingChangeSchema>;
