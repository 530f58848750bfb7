import type { ClientMetadata } from './application-service.js';

/**
 * Applications' metadata (secret opened) kept in memory: the token, introspection and userinfo
 * endpoints look their application up on every request. Every change to an application moves
 * the `applications` counter in its transaction; the process that made it drops everything at
 * once, and the others when they hear of it (a PostgreSQL notice) or, at the latest, when their
 * periodic check finds the counter moved (`follow`). Unknown client_ids are not kept: they would
 * let anyone fill the memory.
 */
export interface ApplicationCache {
  get(clientId: string, load: (clientId: string) => Promise<ClientMetadata | undefined>): Promise<ClientMetadata | undefined>;
  /** Drops everything: an application changed. */
  drop(): void;
  /** The counter as just read: drops everything when it moved since the last reading. */
  follow(version: number): void;
}

export function createApplicationCache(size: number): ApplicationCache {
  const entries = new Map<string, ClientMetadata>();
  // A lookup that began before a drop may have read the row as it was: it must not be kept.
  let generation = 0;
  let followed: number | undefined;

  function drop(): void {
    generation += 1;
    entries.clear();
  }

  return {
    async get(clientId, load) {
      const kept = entries.get(clientId);
      if (kept) {
        // Taken out and put back: the most recently used is the last one evicted.
        entries.delete(clientId);
        entries.set(clientId, kept);
        return kept;
      }
      const began = generation;
      const metadata = await load(clientId);
      if (metadata && began === generation) {
        entries.set(clientId, metadata);
        // Map keeps insertion order: the first key is the least recently used.
        if (entries.size > size) entries.delete(entries.keys().next().value!);
      }
      return metadata;
    },
    drop,
    follow(version) {
      // The first reading drops too: what was kept before it was read at no known version.
      if (version !== followed) drop();
      followed = version;
    },
  };
}
