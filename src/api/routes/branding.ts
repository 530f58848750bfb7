import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { logoPath, type Branding } from '../../branding/branding.js';
import { brandingChangeSchema } from '../../branding/branding-schema.js';
import { logoTypes } from '../../branding/image-type.js';
import type { ApiContext } from '../management-api.js';
import { commonProblems } from '../problem.js';

/** The branding as the API shows it: what the pages show, unset values as their defaults. */
const brandingView = z.object({
  product_name: z.string().describe('Each page\'s title and brand line, and the logo\'s alt text; "Gatehouse" unless set.'),
  primary_color: z.string().describe('`#rrggbb`: the accent of the pages (buttons, focus rings).'),
  logo_url: z.string().nullable().describe('Where the logo was fetched from when it was set; null without a logo.'),
  logo: z.object({
    path: z.string().describe('Where Gatehouse serves it, relative to its public URL: /branding/logo/{version}, cached for good, since another logo has another version.'),
    version: z.string().describe('A short hash of its bytes.'),
    content_type: z.enum(logoTypes).describe('What its bytes are, whatever the server it came from said.'),
  }).strip().nullable().describe('The logo as Gatehouse serves it to the pages; null without one.'),
  updated_at: z.iso.datetime().nullable().describe('The last change; null while nothing was ever set.'),
}).strip().meta({ id: 'Branding' });

function viewOf(branding: Branding) {
  return {
    product_name: branding.productName,
    primary_color: branding.primaryColor,
    logo_url: branding.logo?.sourceUrl ?? null,
    logo: branding.logo ? { path: logoPath(branding.logo), version: branding.logo.hash, content_type: branding.logo.contentType } : null,
    updated_at: branding.updatedAt === null ? null : new Date(branding.updatedAt).toISOString(),
  };
}

/**
 * The sign-in pages' branding: one record, read by every page on every instance, so a change
 * shows on the next page anywhere. A logo is fetched once, when set, and served by Gatehouse.
 */
export async function brandingRoutes(scope: FastifyInstance, { services, actor }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { branding } = services;
  const tags = ['branding'];

  app.get('/branding', {
    schema: { tags, summary: 'Read the branding of the sign-in pages: product name, primary colour, logo', response: { 200: brandingView, ...commonProblems } },
  }, async () => viewOf(await branding.get()));

  app.put('/branding', {
    schema: {
      tags,
      summary: 'Change the branding: each field given replaces its value, each left out keeps it; a logo_url is fetched now, once, and a failure changes nothing',
      body: brandingChangeSchema,
      response: { 200: brandingView, ...commonProblems },
    },
  }, async (request) => viewOf(await branding.update(actor(request), request.body)));
}
