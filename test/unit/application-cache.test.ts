/*
 * The applications each process keeps in memory (src/applications/application-cache.ts): the
 * least recently used goes first beyond the bound, a lookup that began before a drop is not
 * kept, unknown client_ids are not kept, and a moved counter drops everything.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApplicationCache } from '../../src/applications/application-cache.js';
import type { ClientMetadata } from '../../src/applications/application-service.js';

const metadata = (clientId: string) => ({ client_id: clientId }) as ClientMetadata;

function countingLoader() {
  const loads: string[] = [];
  return { loads, load: async (clientId: string) => (loads.push(clientId), clientId === 'unknown' ? undefined : metadata(clientId)) };
}

test('beyond its size the least recently used application is read again, not the oldest', async () => {
  const cache = createApplicationCache(2);
  const { loads, load } = countingLoader();
  for (const clientId of ['a', 'b', 'a', 'c', 'a', 'b']) await cache.get(clientId, load);
  assert.deepEqual(loads, ['a', 'b', 'c', 'b'], 'a, used again before c came, stayed; b went');
});

test('a lookup that began before a drop is answered but not kept', async () => {
  const cache = createApplicationCache(10);
  let release!: () => void;
  const loads: string[] = [];
  const slow = (clientId: string) => new Promise<ClientMetadata>((resolve) => {
    loads.push(clientId);
    release = () => resolve(metadata(clientId));
  });
  const pending = cache.get('a', slow);
  cache.drop();
  release();
  assert.equal((await pending)?.client_id, 'a');
  const { load } = countingLoader();
  await cache.get('a', async (clientId) => (loads.push(clientId), load(clientId)));
  assert.deepEqual(loads, ['a', 'a'], 'read again after the drop');
});

test('unknown client_ids are not kept; a moved counter drops everything, the same counter nothing', async () => {
  const cache = createApplicationCache(10);
  const { loads, load } = countingLoader();
  await cache.get('unknown', load);
  await cache.get('unknown', load);
  cache.follow(7);
  await cache.get('a', load);
  cache.follow(7);
  await cache.get('a', load);
  cache.follow(8);
  await cache.get('a', load);
  assert.deepEqual(loads, ['unknown', 'unknown', 'a', 'a']);
});
