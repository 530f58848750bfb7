import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applicationInputSchema } from '../../src/applications/application-schema.js';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { openPostgres } from '../../src/db/connect.js';
import type { Storage } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { systemClock } from '../../src/runtime/clock.js';
import { randomIds } from '../../src/runtime/ids.js';
import { createServices } from '../../src/services.js';
import { applyDeclarations } from '../../src/setup/apply-declarations.js';
import { emptyDeclarations, type Declarations } from '../../src/setup/config-file.js';
import { createPostgresDatabase, skipWithoutPostgres } from '../helpers/databases.js';

const box = createSecretBox('declared-records-race-secret-0123456789');
const rounds = 8;

const servicesOf = (storage: Storage) =>
  createServices({ db: storage.db, box, clock: systemClock, ids: randomIds, security: defaultSecuritySettings });

/** Applies a configuration file as a start does, each instance in its own transaction on its own connection. */
function applyOn(storage: Storage, declarations: Partial<Declarations>) {
  return applyDeclarations(servicesOf(storage), { ...emptyDeclarations, ...declarations }, {
    source: 'gatehouse.yaml',
    validatorFor: async () => async () => {},
  });
}

/**
 * Two instances applying the same configuration file at once, each in its own transaction on
 * its own connection, as two containers starting together: both find nothing, both insert.
 */
describe('two instances applying one configuration file at once (PostgreSQL)', { skip: skipWithoutPostgres }, () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let instances: Storage[];

  before(async () => {
    database = await createPostgresDatabase();
    instances = [openPostgres(database.url), openPostgres(database.url)];
    await migrateToLatest(instances[0]!.db);
  });
  after(async () => {
    for (const storage of instances ?? []) await storage.close();
    await database?.drop();
  });

  test('a new application gets one generated secret: the one reported is the one stored', async () => {
    for (let round = 0; round < rounds; round += 1) {
      const declaration = applicationInputSchema.parse({ client_id: `app-${round}`, grant_types: ['client_credentials'] });
      const results = await Promise.all(instances.map((storage) => applyOn(storage, { applications: [declaration] })));
      const reported = results.flatMap((result) => result.generatedSecrets.map((generated) => generated.secret));
      assert.equal(reported.length, 1, `round ${round}: ${reported.length} secrets reported`);
      const stored = await servicesOf(instances[0]!).applications.findClientMetadata(`app-${round}`);
      assert.equal(stored?.client_secret, reported[0]);
    }
  });

  test('a new user is created once and neither instance fails', async () => {
    for (let round = 0; round < rounds; round += 1) {
      const services = servicesOf(instances[0]!);
      const results = await Promise.all(instances.map((storage) =>
        servicesOf(storage).users.createUser({ kind: 'config_file', file: 'gatehouse.yaml' }, {
          username: `user-${round}`, credential: { importedHash: '$2b$10$abcdefghijklmnopqrstuu5Nq4Q0lY8m0l7iEMP6iS7J3bQ4Rr6.' },
        }, { existing: 'keep' }),
      ));
      assert.equal(results.filter((result) => result.created).length, 1, `round ${round}`);
      assert.equal(results[0]!.user.id, results[1]!.user.id);
      assert.equal((await services.users.findByUsername(`user-${round}`))?.id, results[0]!.user.id);
    }
  });
});
