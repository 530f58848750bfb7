import type { ApplicationMetadata } from '../../applications/application-schema.js';
import type { Command } from './command.js';

export const appsList: Command = {
  words: ['apps', 'list'],
  arguments: [],
  summary: 'list the applications: client_id, name, grant types, redirect URIs, and whether the configuration file declares them',
  details: 'One application per line, tab-separated: client_id, client_name (- when none), grant types (comma-separated), '
    + 'redirect URIs (comma-separated, - when none), and "file" for one the configuration file declares (change it '
    + 'there) or "database" for one created with the command line or the API. Secrets are never shown.',
  async run(_args, context, io) {
    const rows = await context.services.applications.list();
    if (rows.length === 0) io.stdout.write('no applications\n');
    for (const row of rows) {
      const metadata = JSON.parse(row.metadata) as ApplicationMetadata;
      const redirectUris = metadata.redirect_uris.length > 0 ? metadata.redirect_uris.join(',') : '-';
      const fields = [row.client_id, metadata.client_name ?? '-', metadata.grant_types.join(','), redirectUris, row.owner === 'config_file' ? 'file' : 'database'];
      io.stdout.write(`${fields.join('\t')}\n`);
    }
  },
};
