import type { BrandingTable, Db } from '../database.js';

/** The branding row without the logo's bytes: what every page reads. */
export type BrandingRow = Omit<BrandingTable, 'id' | 'logo'>;

/** What a change sets: the columns it changes (the logo's only when the logo changes), and when. */
export type BrandingChanges = Partial<Omit<BrandingTable, 'id' | 'updated_at'>> & Pick<BrandingTable, 'updated_at'>;

/** The one row the branding migration created. */
const id = 1;

const settings = ['product_name', 'primary_color', 'logo_content_type', 'logo_hash', 'logo_source_url', 'updated_at'] as const;

export function createBrandingQueries(db: Db) {
  return {
    /** One read by primary key, without the logo's bytes. */
    find: (): Promise<BrandingRow> => db.selectFrom('branding').select(settings).where('id', '=', id).executeTakeFirstOrThrow(),
    /** The logo's bytes and type, when `hash` names the logo the row holds now. */
    findLogo: async (hash: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined> => {
      const row = await db.selectFrom('branding').select(['logo', 'logo_content_type']).where('id', '=', id).where('logo_hash', '=', hash).executeTakeFirst();
      return row?.logo && row.logo_content_type ? { bytes: row.logo, contentType: row.logo_content_type } : undefined;
    },
    /** Takes the row's write lock for the rest of the transaction (a write that changes nothing): PostgreSQL and SQLite alike. */
    lock: async (): Promise<void> => {
      await db.updateTable('branding').set((eb) => ({ id: eb.ref('id') })).where('id', '=', id).execute();
    },
    update: async (changes: BrandingChanges): Promise<void> => {
      await db.updateTable('branding').set(changes).where('id', '=', id).execute();
    },
  };
}
