import { z } from 'zod';
import { defaults } from '../config/defaults.js';
import { upstreamUrl } from '../connections/connection-schema.js';
import { hexColor, primaryColor, productName } from './branding-schema.js';
import { contrastBetween, formatRatio } from './contrast.js';

/**
 * WCAG 2.2 AA (1.4.11, non-text contrast): the buttons and focus rings, drawn in the primary
 * colour, must stand out from the page's background by this much.
 */
const minNonTextContrastRatio = 3;

const backgroundColor = z.string()
  .regex(hexColor, 'must be a colour written #rrggbb, such as #f8fafc')
  .describe(`The pages' background. \`#rrggbb\`; the text is drawn in black or white, whichever reads better on it (the error messages and links in shades reaching 4.5:1 against it), and the application's primary_color (required with it) needs ${minNonTextContrastRatio}:1 contrast against it. Absent: the browser's own light or dark background.`);

/**
 * Gatehouse extension of the client metadata: how the sign-in pages look while they serve this
 * application's sign-in, over the global branding (docs/management-api.md#branding). A field left
 * out shows the global branding's.
 */
export const applicationBrandingSchema = z.object({
  name: productName.optional()
    .describe('The name on the pages\' brand line and in their title while they serve this application (instead of the global product name). 1 to 60 characters.'),
  logo_uri: upstreamUrl.max(2000).optional()
    .describe(`Where Gatehouse fetches the application's logo, once, when the application is saved: an https URL of a PNG, JPEG, GIF, WebP or SVG image of at most ${defaults.branding.maxLogoBytes / 1024} KiB. The pages show it from Gatehouse, and it is their icon when it is a square PNG or GIF of at most 512 pixels a side (else the global icon stays).`),
  primary_color: primaryColor.optional(),
  background_color: backgroundColor.optional(),
}).strict().superRefine((branding, context) => {
  const { primary_color: primary, background_color: background } = branding;
  if (background !== undefined && primary === undefined) {
    // The global colour may change at any time: the pair is checked only when both are the application's.
    context.addIssue({ code: 'custom', path: ['background_color'], message: 'needs a primary_color of the application\'s own, which is checked against it' });
    return;
  }
  // Only when both are colours: a malformed one has its own message already.
  if (!primary || !background || !hexColor.test(primary) || !hexColor.test(background)) return;
  const ratio = contrastBetween(primary, background);
  if (ratio >= minNonTextContrastRatio) return;
  context.addIssue({
    code: 'custom',
    path: ['background_color'],
    message: `has a contrast ratio of ${formatRatio(ratio)} with primary_color, below the ${minNonTextContrastRatio}:1 that the buttons and focus rings need to stand out (WCAG 2.2 AA): choose a lighter or darker background`,
  });
}).describe('Gatehouse extension: the sign-in pages\' branding while they serve this application\'s sign-in, over the global branding; each field left out shows the global one.');

export type ApplicationBrandingInput = z.output<typeof applicationBrandingSchema>;
