import fp from 'fastify-plugin';
import { logoPathPrefix } from '../branding/branding.js';
import type { BrandingService } from '../branding/branding-service.js';
import { inBranding, storedOrDefaultBranding } from '../branding/page-branding.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { interactionPath } from '../oidc/interaction-path.js';
import { wantsHtml } from './error-responses.js';
import { headerSets, useHeaderSet } from './security-headers.js';

export interface BrandedPagesOptions {
  branding: Pick<BrandingService, 'get' | 'forInteraction' | 'logo'>;
}

/** A logo's version as fetch-logo.ts makes it: 16 hex digits. */
const logoVersion = /^[0-9a-f]{16}$/;

/** The pages of a pending sign-in are under its path, `/interaction/<uid>/…`; the engine's uids are URL-safe. */
const interactionPage = new RegExp(`^${interactionPath('')}([A-Za-z0-9_-]{1,64})(?:[/?]|$)`);

/** The pending sign-in whose page a request asks for, by the uid in its path. */
const interactionOf = (url: string): string | undefined => interactionPage.exec(url)?.[1];

/**
 * The branding of the sign-in pages. Every request that may be answered with a page (a
 * browser's: text/html in Accept, as error-responses.ts decides between a page and a problem)
 * reads the branding once, by primary key, and is served in its scope (branding/page-branding.ts),
 * so that Gatehouse's pages, the engine's and the error pages all show what the database holds
 * now, on every instance alike; token, API and asset requests read nothing. A page of a pending
 * sign-in (every path under `/interaction/<uid>`: login, consent, the second factor, an error
 * there) shows its application's own branding over the global one, and no other page does. And
 * the logos, the global one and the applications', at /branding/logo/{version}, from the
 * database. On the root scope (fastify-plugin): register it before the routes that render pages.
 */
export const brandedPages = fp<BrandedPagesOptions>(
  async (app, { branding }) => {
    app.addHook('onRequest', (request, _reply, done) => {
      if (!wantsHtml(request)) return done();
      // Entered by one call without a promise, as the request id's scope is (http/request-log-scope.ts): everything after continues in it.
      const uid = interactionOf(request.url);
      const read = () => (uid === undefined ? branding.get() : branding.forInteraction(uid));
      storedOrDefaultBranding(read).then((current) => inBranding(current, done), (error: Error) => done(error));
    });

    await app.register(async (logos) => {
      useHeaderSet(logos, headerSets.logo);
      logos.get<{ Params: { version: string } }>(`${logoPathPrefix}:version`, async (request, reply) => {
        const { version } = request.params;
        const logo = logoVersion.test(version) ? await branding.logo(version) : undefined;
        // An earlier logo is gone: the pages link the current one, and a cached copy lives on in the browser.
        if (!logo) throw new GatehouseError('not_found', 'No logo is served at this address: the branding has none, or another one now.');
        return reply.type(logo.contentType).send(Buffer.from(logo.bytes.buffer, logo.bytes.byteOffset, logo.bytes.byteLength));
      });
    });
  },
  { name: 'gatehouse-branding' },
);
