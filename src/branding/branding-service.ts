import type { ApplicationService } from '../applications/application-service.js';
import type { ChangeLog } from '../audit/change-log.js';
import { brandingView } from '../audit/record-views.js';
import { defaults } from '../config/defaults.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createApplicationBrandingQueries } from '../db/queries/application-branding.js';
import { createBrandingQueries, type BrandingChanges } from '../db/queries/branding.js';
import { interactionClientId } from '../oidc/interaction-client.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import { withApplicationBranding } from './application-branding.js';
import { boundedMemo } from './bounded-memo.js';
import { brandingOf, type Branding } from './branding.js';
import type { BrandingChangeInput } from './branding-schema.js';
import { suitsAsIcon } from './favicon.js';
import type { FetchedLogo, LogoFetcher } from './fetch-logo.js';
import type { LogoType } from './image-type.js';

export type BrandingService = ReturnType<typeof createBrandingService>;

/** What a change sets in the row: only what it names, the logo's columns all together. */
function columnsOf(change: BrandingChangeInput, logo: FetchedLogo | null | undefined, now: number): BrandingChanges {
  const columns: BrandingChanges = { updated_at: now };
  if (change.product_name !== undefined) columns.product_name = change.product_name;
  if (change.primary_color !== undefined) columns.primary_color = change.primary_color.toLowerCase();
  if (logo !== undefined) {
    columns.logo = logo?.bytes ?? null;
    columns.logo_content_type = logo?.contentType ?? null;
    columns.logo_hash = logo?.hash ?? null;
    columns.logo_source_url = logo?.sourceUrl ?? null;
  }
  return columns;
}

const sameLogo = (a: Branding['logo'], b: Branding['logo']) => a?.hash === b?.hash && a?.sourceUrl === b?.sourceUrl;

export interface BrandingServiceDeps {
  db: Db;
  clock: Clock;
  changes: ChangeLog;
  fetchLogo: LogoFetcher;
  /** Applications' metadata as the engine reads it, from memory when it can (application-cache.ts). */
  applications: Pick<ApplicationService, 'findClientMetadata'>;
}

/**
 * The sign-in pages' branding: one record, read by every page (no copy in memory, so that every
 * instance sharing the database shows the same), changed only through `update`; and, on the pages
 * of an application's sign-in, that application's own over it (its metadata's `branding` and the
 * logo fetched for it, changed with the application by application-service.ts).
 */
export function createBrandingService({ db, clock, changes, fetchLogo, applications }: BrandingServiceDeps) {
  const branding = createBrandingQueries(db);
  const logos = createApplicationBrandingQueries(db);
  // Whether a logo fits as an icon depends on its bytes alone, which its hash names.
  const fitsAsIcon = boundedMemo<boolean>(defaults.branding.memoSize);

  const get = async (): Promise<Branding> => brandingOf(await branding.find());

  async function logoIsIcon(hash: string): Promise<boolean> {
    const known = fitsAsIcon.get(hash);
    if (known !== undefined) return known;
    const logo = await logos.findLogo(hash);
    // Replaced since it was read: the next page reads the new one.
    return logo === undefined ? false : fitsAsIcon.set(hash, suitsAsIcon(logo.bytes, logo.contentType as LogoType));
  }

  /** The global branding with the application's own over it; the global one alone for an application without any, or unknown. */
  async function forApplication(clientId: string): Promise<Branding> {
    const [global, metadata] = await Promise.all([get(), applications.findClientMetadata(clientId)]);
    const own = metadata?.branding;
    if (!own) return global;
    const logo = own.logo_uri === undefined ? undefined : await logos.logoOf(clientId);
    return withApplicationBranding(global, clientId, own, logo, logo !== undefined && (await logoIsIcon(logo.logo_hash)));
  }

  return {
    /** The branding as the pages show it: one read by primary key, without the logo's bytes. */
    get,

    forApplication,

    /**
     * The branding of a page of the pending sign-in `uid` (its path's): its application's over the
     * global one; the global one alone once the engine no longer knows the sign-in.
     */
    async forInteraction(uid: string): Promise<Branding> {
      const clientId = await interactionClientId(db, uid, clock.now());
      return clientId === undefined ? get() : forApplication(clientId);
    },

    /**
     * The bytes and type of the logo `hash` names, the global one's or an application's, while it
     * is current; an older hash is no longer served.
     */
    logo: async (hash: string) => (await branding.findLogo(hash)) ?? logos.findLogo(hash),

    /**
     * Changes what the change names and keeps the rest, all of it or nothing: a logo URL is
     * fetched first (outside the transaction, so that no lock waits on another server), and a
     * failed fetch changes nothing. The change and its `branding.changed` event commit together;
     * a change that sets every value to what it was writes and records nothing.
     */
    async update(actor: Actor, change: BrandingChangeInput): Promise<Branding> {
      const logo = change.logo_url === undefined ? undefined : change.logo_url === null ? null : await fetchLogo(change.logo_url);
      return inTransaction(db, async (trx) => {
        const queries = createBrandingQueries(trx);
        await queries.lock();
        const row = await queries.find();
        const before = brandingOf(row);
        const columns = columnsOf(change, logo, clock.now());
        const after = brandingOf({ ...row, ...columns });
        if (after.productName === before.productName && after.primaryColor === before.primaryColor && sameLogo(after.logo, before.logo)) return before;
        await queries.update(columns);
        await changes.record(trx, [{ type: 'branding.changed', actor, before: brandingView(before), after: brandingView(after) }]);
        return after;
      });
    },
  };
}
