import * as oidc from 'openid-client';
import { secretOf } from '../../helpers/applications.js';
import type { TestDialect } from '../../helpers/databases.js';
import { insecure } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { coreDeclarations } from './fixtures.js';

/** The relying parties of the core fixtures, each an unmodified openid-client configuration. */
export interface RelyingParties {
  spa: oidc.Configuration;
  web: oidc.Configuration;
  m2m: oidc.Configuration;
}

export async function discoverRelyingParties(server: TestServer): Promise<RelyingParties> {
  const issuer = new URL(server.issuer);
  const [spa, web, m2m] = await Promise.all([
    oidc.discovery(issuer, 'spa', undefined, oidc.None(), insecure),
    oidc.discovery(issuer, 'web', secretOf('web'), undefined, insecure),
    oidc.discovery(issuer, 'm2m', secretOf('m2m'), undefined, insecure),
  ]);
  return { spa, web, m2m };
}

/** A server with the core fixtures, and its relying parties: one per test file. */
export async function startCoreServer(dialect: TestDialect): Promise<{ server: TestServer; rp: RelyingParties }> {
  const server = await startServer({ declarations: coreDeclarations, dialect });
  return { server, rp: await discoverRelyingParties(server) };
}
