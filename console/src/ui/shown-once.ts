/**
 * Secrets the API just returned, handed from the screen that received them to the page that
 * shows them once: kept in this module's memory only, never in storage or the browser's
 * history, and dropped once shown. One store per kind of record, keyed by its id.
 */
export function shownOnce() {
  const pending = new Map<string, string>();
  return {
    handOver: (id: string, secret: string) => void pending.set(id, secret),
    /** The secret waiting for this record, if it was not shown yet. */
    peek: (id: string) => pending.get(id),
    forget: (id: string) => void pending.delete(id),
  };
}
