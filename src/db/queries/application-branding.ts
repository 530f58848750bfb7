import type { ApplicationLogoTable, Db } from '../database.js';

/** An application's logo without its bytes: what the pages read. */
export type ApplicationLogoRow = Omit<ApplicationLogoTable, 'logo'>;

const described = ['client_id', 'logo_content_type', 'logo_hash', 'logo_source_url', 'updated_at'] as const;

/** The logos fetched for applications' own branding (their metadata's `branding`). */
export function createApplicationBrandingQueries(db: Db) {
  return {
    /** The application's logo, without its bytes. */
    logoOf: (clientId: string): Promise<ApplicationLogoRow | undefined> =>
      db.selectFrom('application_logos').select(described).where('client_id', '=', clientId).executeTakeFirst(),
    /** The bytes and type of the application logo that `hash` names now. */
    findLogo: async (hash: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined> => {
      const row = await db.selectFrom('application_logos').select(['logo', 'logo_content_type']).where('logo_hash', '=', hash).executeTakeFirst();
      return row ? { bytes: row.logo, contentType: row.logo_content_type } : undefined;
    },
    setLogo: async (row: ApplicationLogoTable): Promise<void> => {
      const { client_id: _key, ...columns } = row;
      await db.insertInto('application_logos').values(row).onConflict((oc) => oc.column('client_id').doUpdateSet(columns)).execute();
    },
    removeLogo: async (clientId: string): Promise<void> => {
      await db.deleteFrom('application_logos').where('client_id', '=', clientId).execute();
    },
  };
}
