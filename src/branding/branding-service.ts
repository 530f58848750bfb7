import type { ChangeLog } from '../audit/change-log.js';
import { brandingView } from '../audit/record-views.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createBrandingQueries, type BrandingChanges } from '../db/queries/branding.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import { brandingOf, type Branding } from './branding.js';
import type { BrandingChangeInput } from './branding-schema.js';
import type { FetchedLogo, LogoFetcher } from './fetch-logo.js';

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

/**
 * The sign-in pages' branding: one record, read by every page (no copy in memory, so that every
 * instance sharing the database shows the same), changed only through `update`.
 */
export function createBrandingService({ db, clock, changes, fetchLogo }: { db: Db; clock: Clock; changes: ChangeLog; fetchLogo: LogoFetcher }) {
  const branding = createBrandingQueries(db);

  return {
    /** The branding as the pages show it: one read by primary key, without the logo's bytes. */
    get: async (): Promise<Branding> => brandingOf(await branding.find()),

    /** The logo's bytes and type, when `hash` is the current logo's; an older hash is no longer served. */
    logo: (hash: string) => branding.findLogo(hash),

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
