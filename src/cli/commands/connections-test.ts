import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { Command } from './command.js';

export const connectionsTest: Command = {
  words: ['connections', 'test'],
  arguments: ['<id>'],
  summary: 'check a connection: an upstream\'s metadata, issuer, endpoints, keys, client ID and secret; a partner\'s verification key',
  async run([id], context, io) {
    const report = await context.services.connections.testConnection(id!);
    for (const { check, ok, detail } of report.checks) io.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${check}: ${detail}\n`);
    if (report.signInUrl) io.stdout.write(`\nTo sign in once through it and see the claims (nothing is created), open:\n  ${report.signInUrl}\n`);
    const failed = report.checks.filter((check) => !check.ok).map((check) => check.check);
    // Exit status 1, so that a script can tell; the checks above say what is wrong.
    if (failed.length > 0) throw new GatehouseError('upstream_failed', `connection "${id}": ${failed.length} of ${report.checks.length} checks failed (${failed.join(', ')})`);
  },
};
