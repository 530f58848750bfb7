import { AsyncLocalStorage } from 'node:async_hooks';
import { isGatehouseError } from '../errors/gatehouse-error.js';
import { defaultBranding, type Branding } from './branding.js';

/**
 * The branding of the page being served, read once per request by the HTTP layer
 * (http/branding.ts) before anything renders, so that the views, which render synchronously and
 * are called from everywhere (Gatehouse's routes, the engine's pages, the error handler), show
 * what the database holds without a database handle of their own, as the request id reaches the
 * log lines (runtime/request-id-scope.ts).
 */
const scope = new AsyncLocalStorage<Branding>();

/** Runs `work`, and everything it starts, with this branding. */
export function inBranding<T>(branding: Branding, work: () => T): T {
  return scope.run(branding, work);
}

/** The branding of the page being rendered; the defaults outside any request that read one. */
export function currentBranding(): Branding {
  return scope.getStore() ?? defaultBranding;
}

/**
 * The branding as it is stored, or the defaults while the database cannot be reached: a page
 * that says the database is away is still shown, styled, and the request fails (or not) on its own.
 */
export async function storedOrDefaultBranding(read: () => Promise<Branding>): Promise<Branding> {
  try {
    return await read();
  } catch (error) {
    if (isGatehouseError(error) && error.code === 'storage_unavailable') return defaultBranding;
    throw error;
  }
}
