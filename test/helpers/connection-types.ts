import assert from 'node:assert/strict';
import type { Connection, OidcConnection } from '../../src/connections/connection.js';
import type { ConnectionDeclaration } from '../../src/connections/connection-declaration.js';
import type { OidcConnectionDeclaration } from '../../src/connections/connection-schema.js';

/** The connection, checked to be an upstream OpenID Connect provider's. */
export function asOidc(connection: Connection | undefined): OidcConnection {
  assert.equal(connection?.type, 'oidc', 'an OpenID Connect connection');
  return connection as OidcConnection;
}

/** The declaration, checked to be an upstream OpenID Connect provider's. */
export function asOidcDeclaration(declaration: ConnectionDeclaration | undefined): OidcConnectionDeclaration {
  assert.equal(declaration?.type, 'oidc', 'an OpenID Connect connection');
  return declaration as OidcConnectionDeclaration;
}
