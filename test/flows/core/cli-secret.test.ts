import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gatehouse } from '../../helpers/cli.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

const serverSecret = 'the-server-secret-0123456789-0123456789';

/**
 * The command line works on an installation that exists: it must neither invent a master secret
 * nor write with one that does not open what is stored.
 */
describe('the CLI and the master secret (sqlite, secret from the environment)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { GATEHOUSE_SECRET: serverSecret } });
  });
  after(() => server?.close());

  const secretFile = () => path.join(server.config.dataDir, 'secret.key');

  test('without the secret it stops, and generates no secret.key beside the database', async () => {
    assert.equal(existsSync(secretFile()), false);
    const result = await gatehouse(server, ['scopes', 'list'], '', { GATEHOUSE_SECRET: undefined });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no master secret: .*secret\.key does not exist and GATEHOUSE_SECRET is not set/);
    assert.equal(existsSync(secretFile()), false);
  });

  test('with another secret it stops before changing anything', async () => {
    const refused = await gatehouse(server, ['scopes', 'create', 'desk', 'Your desk', 'desk'], '', { GATEHOUSE_SECRET: 'not-the-server-secret-0123456789-0123' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the master secret cannot open data stored in the database/);
    const listed = await gatehouse(server, ['scopes', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, 'no custom scopes\n');
  });
});
