import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import pino from 'pino';
import type { OidcProvider } from '../../src/oidc/engine.js';
import { createEngineHolder, type EngineState } from '../../src/oidc/engine-holder.js';

/** A stored state whose version the test moves, and an engine stand-in that says which state built it. */
function fixture() {
  const stored = { version: 1, failNextBuild: false, loads: 0 };
  const served: number[] = [];
  const source = {
    version: async () => stored.version,
    load: async (): Promise<EngineState> => {
      stored.loads += 1;
      return { version: stored.version, customScopes: [], resources: [], signingKeys: [], cookieKeys: [] };
    },
  };
  const build = (state: EngineState) => {
    if (stored.failNextBuild) {
      stored.failNextBuild = false;
      throw new Error('a key that does not open');
    }
    return { builtFrom: state.version, callback: () => () => served.push(state.version) } as unknown as OidcProvider;
  };
  return { stored, served, source, build };
}

const builtFrom = (engine: OidcProvider) => (engine as unknown as { builtFrom: number }).builtFrom;
const request = [{} as IncomingMessage, {} as ServerResponse] as const;

test('the engine is rebuilt only when the stored version moved, and the one callback follows it', async () => {
  const { stored, served, source, build } = fixture();
  const holder = await createEngineHolder({ source, build, checkEverySeconds: 3600, logger: pino({ level: 'silent' }) });
  const callback = holder.callback();
  callback(...request);
  assert.equal(await holder.refresh(), false);
  assert.equal(stored.loads, 1, 'an unchanged version loads nothing');
  stored.version = 2;
  assert.equal(await holder.refresh(), true);
  assert.equal(builtFrom(holder.current()), 2);
  assert.equal(holder.state().version, 2);
  callback(...request);
  assert.deepEqual(served, [1, 2], 'a callback taken before the rebuild dispatches to the new engine');
  await holder.stop();
});

test('a rebuild that fails keeps the current engine and is tried again', async () => {
  const { stored, source, build } = fixture();
  const holder = await createEngineHolder({ source, build, checkEverySeconds: 3600, logger: pino({ level: 'silent' }) });
  stored.version = 2;
  stored.failNextBuild = true;
  await assert.rejects(holder.refresh(), /a key that does not open/);
  assert.equal(builtFrom(holder.current()), 1);
  assert.equal(holder.state().version, 1);
  assert.equal(await holder.refresh(), true);
  assert.equal(builtFrom(holder.current()), 2);
  await holder.stop();
});

test('checks at the same moment share one rebuild, and stop waits for it', async () => {
  const { stored, source, build } = fixture();
  const holder = await createEngineHolder({ source, build, checkEverySeconds: 3600, logger: pino({ level: 'silent' }) });
  stored.version = 3;
  const checks = [holder.refresh(), holder.refresh(), holder.refresh()];
  await holder.stop();
  assert.equal(stored.loads, 2, 'one load at start, one for the three checks');
  assert.deepEqual(await Promise.all(checks), [true, true, true]);
  assert.equal(builtFrom(holder.current()), 3);
});
