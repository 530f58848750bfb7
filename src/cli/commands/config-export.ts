import { readFile } from 'node:fs/promises';
import { Document, parse as parseYaml, stringify, type YAMLMap } from 'yaml';
import type { ApplicationMetadata } from '../../applications/application-schema.js';
import { normalizeIdentifier } from '../../users/normalize.js';
import type { CliContext } from '../cli-context.js';
import { applicationEntry, connectionEntry, emailEntry, mfaEntry, resourceEntry, scopeEntry, userEntry, type EmailExport } from '../export-declarations.js';
import type { Command } from './command.js';
import { describeDatabase } from './migrate.js';

/** Long values stay on one line: a folded URL or key is harder to read and to edit. */
const yamlOptions = { lineWidth: 0 } as const;
/** Users are read and printed a page at a time, so that a large directory takes bounded memory. */
const usersPerPage = 500;

function header(context: CliContext, when: string, placeholders: boolean, email: EmailExport | undefined): string {
  const lines = [
    `Gatehouse configuration exported from ${describeDatabase(context.config)} at ${when}.`,
    'Check it with: gatehouse config validate <file>',
    '',
    'Every secret is left out:',
    '- applications have no client_secret: a start with this file generates one for each application that',
    '  authenticates with a secret and prints it once; to keep the ones in use, add each as client_secret.',
    '- users have no password or password_hash: give them passwords with gatehouse users set-password (or',
    '  password: here); until then they sign in only through a connection.',
  ];
  if (placeholders) {
    lines.push(
      '- connections\' secrets (an upstream\'s client_secret, a partner\'s HMAC secret) are placeholders, each',
      '  explained above its entry: replace them before starting with this file.',
    );
  }
  if (email?.note) {
    lines.push(
      '- email: has no password: the SMTP password is stored sealed and is not exported; add it, as said',
      '  above the section, before starting with this file.',
    );
  }
  lines.push('A start with this file makes every record and setting in it the file\'s (declared: changed here, not through the API).');
  return `${lines.map((line) => (line ? `# ${line}` : '#')).join('\n')}\n`;
}

/** The `security:` and `audit:` sections of the configuration file in use: settings of the file, not of the database. */
async function settingsSections(configFile: string | undefined): Promise<Record<string, unknown>> {
  if (!configFile) return {};
  const document = parseYaml(await readFile(configFile, 'utf8')) as Record<string, unknown> | null;
  return Object.fromEntries((['security', 'audit'] as const).filter((name) => document?.[name] !== undefined).map((name) => [name, document![name]]));
}

export const configExport: Command = {
  words: ['config', 'export'],
  arguments: [],
  summary: 'print the database\'s applications, users, scopes, connections, MFA policy and SMTP settings as a configuration file (YAML), secrets left out',
  details: 'The output is a configuration file that gatehouse config validate accepts and that a start applies to an '
    + 'empty database to the same applications, users (profile, groups, attributes, disabled), custom scopes, API '
    + 'resources and connections, declared and undeclared alike, with the MFA policy (mfa:) and, when email is configured, the '
    + 'SMTP settings (email:). No secret is in it, and its first lines say so: applications have '
    + 'no client_secret (a start generates new ones), users have no password or hash, a connection\'s secret is a '
    + 'placeholder to replace (a partner\'s HMAC secret a random one, the connection exported disabled), and email: has '
    + 'no password (a comment above it says to add one). The security: '
    + 'and audit: sections are copied from the configuration file in use (GATEHOUSE_CONFIG), if it has them.',
  examples: ['gatehouse config export > gatehouse-export.yaml', 'gatehouse config export > export.yaml && gatehouse config validate export.yaml'],
  async run(_args, context, io) {
    const { services } = context;
    const applications = (await services.applications.list()).map((row) => applicationEntry(JSON.parse(row.metadata) as ApplicationMetadata));
    const scopes = (await services.scopes.list()).map(scopeEntry);
    const resources = (await services.resources.list()).map(resourceEntry);
    const connections = (await services.connections.list()).map(connectionEntry);
    const mfa = mfaEntry(await services.mfa.settings.get());
    const { smtp } = await services.email.settings.get();
    const email = smtp ? emailEntry(smtp) : undefined;
    const settings = await settingsSections(context.configFile);
    const when = new Date(services.deps.clock.now()).toISOString();
    io.stdout.write(header(context, when, connections.some((connection) => connection.note), email));
    io.stdout.write(`\n${stringify({ applications }, yamlOptions)}`);

    io.stdout.write('\n');
    let after: string | undefined;
    let written = 0;
    for (;;) {
      const page = await services.users.listAfter(after, usersPerPage);
      if (page.length === 0) break;
      const text = stringify({ users: page.map(userEntry) }, yamlOptions);
      // One `users:` key; each page adds its items below it.
      io.stdout.write(written === 0 ? text : text.slice(text.indexOf('\n') + 1));
      written += page.length;
      after = normalizeIdentifier(page[page.length - 1]!.username);
    }
    if (written === 0) io.stdout.write('users: []\n');

    io.stdout.write(`\n${stringify({ scopes }, yamlOptions)}`);
    // Only when there are any, so that an installation without API resources exports as it did before them.
    if (resources.length > 0) io.stdout.write(`\n${stringify({ resources }, yamlOptions)}`);
    const document = new Document({ connections: connections.map((connection) => connection.entry) });
    connections.forEach((connection, index) => {
      if (connection.note) (document.getIn(['connections', index], true) as YAMLMap).commentBefore = ` ${connection.note}`;
    });
    io.stdout.write(`\n${document.toString(yamlOptions)}`);
    io.stdout.write(`\n${stringify({ mfa }, yamlOptions)}`);
    // Only when email is configured: an email: section without a host is not a valid one.
    if (email) io.stdout.write(`\n${email.note ? `# ${email.note}\n` : ''}${stringify({ email: email.entry }, yamlOptions)}`);
    if (Object.keys(settings).length > 0) {
      io.stdout.write(`\n# As in ${context.configFile}: settings of the configuration file, not of the database.\n${stringify(settings, yamlOptions)}`);
    }
  },
};
