import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { faviconPath, globalIconVersion } from '../branding/branding.js';
import type { BrandingService } from '../branding/branding-service.js';
import { builtinIcon, suitsAsIcon } from '../branding/favicon.js';
import type { LogoType } from '../branding/image-type.js';
import { storedOrDefaultBranding } from '../branding/page-branding.js';
import { defaults } from '../config/defaults.js';
import { passkeyScript, passkeyScriptPath } from '../mfa/passkey-script.js';
import { stylesheetFor, stylesheetPath } from '../views/stylesheet.js';
import { headerSets, useHeaderSet } from './security-headers.js';

export interface AssetOptions {
  /** The stylesheet's colours are the branding's (an application's own over them), read at each request; so is the icon. */
  branding: Pick<BrandingService, 'get' | 'forApplication' | 'logo'>;
}

/**
 * The static files of the sign-in pages, served by Gatehouse itself. The stylesheet is built
 * with the stored colours, the global ones or, asked for with `app=`, that application's own over
 * them; asked for by the version the pages link (`?v=`, a hash of its text), it is cached for
 * good, since a new colour or release is a new version. Asked for by another version (a page
 * rendered just before a change), it is the current one, not to be kept. The passkey script (the
 * one script of the sign-in pages) and the icon are versioned the same way.
 */
export const assetRoutes: FastifyPluginAsync<AssetOptions> = async (app, { branding }) => {
  useHeaderSet(app, headerSets.asset);
  app.get<{ Querystring: { v?: string; app?: string } }>(stylesheetPath, async (request, reply) => {
    const { app: clientId } = request.query;
    const colors = await storedOrDefaultBranding(() => (typeof clientId === 'string' ? branding.forApplication(clientId) : branding.get()));
    const { css, version } = stylesheetFor(colors);
    cacheByVersion(reply, request.query.v, version);
    return reply.type('text/css; charset=utf-8').send(css);
  });
  app.get<{ Querystring: { v?: string } }>(passkeyScriptPath, async (request, reply) => {
    const { js, version } = passkeyScript();
    cacheByVersion(reply, request.query.v, version);
    return reply.type('text/javascript; charset=utf-8').send(js);
  });
  // Browsers ask for it on every page that links none: an application's pages link their own logo (layout.ts).
  app.get<{ Querystring: { v?: string } }>(faviconPath, async (request, reply) => {
    const current = await storedOrDefaultBranding(branding.get);
    cacheByVersion(reply, request.query.v, globalIconVersion(current.logo, current.primaryColor));
    const logo = current.logo ? await branding.logo(current.logo.hash) : undefined;
    if (logo && suitsAsIcon(logo.bytes, logo.contentType as LogoType)) {
      return reply.type(logo.contentType).send(Buffer.from(logo.bytes.buffer, logo.bytes.byteOffset, logo.bytes.byteLength));
    }
    return reply.type('image/svg+xml').send(builtinIcon(current.primaryColor));
  });
};

/** Kept for good when asked for by the current version; not kept when asked for by another; the set's default when asked for by none. */
function cacheByVersion(reply: FastifyReply, asked: string | undefined, version: string): void {
  if (asked === version) reply.header('cache-control', `public, max-age=${defaults.branding.versionedMaxAgeSeconds}, immutable`);
  else if (asked !== undefined) reply.header('cache-control', 'no-cache');
}
