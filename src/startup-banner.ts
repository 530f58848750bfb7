import type { StartupReport } from './gatehouse.js';
import { defaults } from './config/defaults.js';
import type { GatehouseConfig } from './config/load.js';

/** The short block an operator reads at start: where the issuer is, and what was generated once. */
export function startupBanner(config: GatehouseConfig, startup: StartupReport): string {
  const lines = [
    '',
    `Gatehouse is ready (${startup.storage === 'sqlite' ? `embedded SQLite in ${config.dataDir}` : 'PostgreSQL'}).`,
    `  Issuer:     ${config.issuer}`,
    `  Discovery:  ${config.issuer}/.well-known/openid-configuration`,
    `  Console:    ${config.publicUrl.origin}${defaults.console.path}/`,
  ];
  // Without SMTP settings the flows that need email cannot work: said at every start, not discovered by a user.
  lines.push(startup.email
    ? `  Email:      from ${startup.email.from} through ${startup.email.host}:${startup.email.port} (${startup.email.tls})`
    : '  Email:      not configured: password reset and email verification cannot send mail (email: in the configuration file, or PUT /api/v1/settings/email; docs/email.md)');
  const { admin } = startup;
  if (admin?.kind === 'created') {
    lines.push(`  First administrator: user "${admin.username}"`);
    lines.push(
      admin.generatedPassword
        ? `    password: ${admin.generatedPassword}   (shown this once; it is not stored in clear)`
        : '    password: the value of GATEHOUSE_ADMIN_PASSWORD',
    );
  } else if (admin?.kind === 'upgraded') {
    lines.push(`  The administrator "${admin.username}" is now a member of ${defaults.administratorsGroup}.`);
  } else if (admin?.kind === 'missing') {
    lines.push(`  WARNING: nobody administers this installation, and the user "${admin.username}" is not Gatehouse's to promote.`);
    lines.push(`    Put an administrator in the group ${defaults.administratorsGroup} (in the configuration file, or: gatehouse users create).`);
  }
  for (const { clientId, secret } of startup.applied.generatedSecrets) {
    lines.push(`  Generated client secret for application "${clientId}": ${secret}   (shown this once)`);
  }
  if (startup.freshSecret) lines.push(`  A master secret was generated in ${config.dataDir}/secret.key: back it up with the database.`);
  if (config.publicUrl.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(config.publicUrl.hostname)) {
    lines.push('  WARNING: GATEHOUSE_PUBLIC_URL is plain http on a non-local host; cookies and tokens travel unencrypted.');
  }
  return `${lines.join('\n')}\n\n`;
}
