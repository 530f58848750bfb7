export interface BoundedMemo<V> {
  get(key: string): V | undefined;
  /** Keeps the value, forgetting the least recently used when there are more than the memo's size; returns it. */
  set(key: string, value: V): V;
}

/**
 * Values kept in memory by key, at most `size` of them, the least recently used forgotten first:
 * for values that depend on nothing but their key (a colour pair's stylesheet, whether a logo
 * hash's bytes fit as an icon), so that every instance has the same and nothing is dropped on a change.
 */
export function boundedMemo<V>(size: number): BoundedMemo<V> {
  const entries = new Map<string, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      // Taken out and put back: the most recently used is the last one forgotten.
      entries.delete(key);
      entries.set(key, value);
      return value;
    },
    set(key, value) {
      entries.set(key, value);
      // Map keeps insertion order: the first key is the least recently used.
      if (entries.size > size) entries.delete(entries.keys().next().value!);
      return value;
    },
  };
}
