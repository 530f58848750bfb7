import type { FastifyRequest } from 'fastify';
import { GatehouseError, type ErrorDetail } from '../errors/gatehouse-error.js';

/** The paths (`body.description`, `params.id`) of every string that holds a NUL character, within a bound of places looked at. */
function nulPaths(value: unknown, path: string, found: ErrorDetail[], budget: { left: number }): void {
  if (budget.left-- <= 0 || found.length > 10) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push({ path, message: 'must not contain a NUL character' });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => nulPaths(item, `${path}.${index}`, found, budget));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) found.push({ path: `${path}.${key.replaceAll('\u0000', '\\0')}`, message: 'must not contain a NUL character' });
      nulPaths(item, `${path}.${key}`, found, budget);
    }
  }
}

/**
 * A NUL character is no part of any name, text or id Gatehouse keeps, and PostgreSQL cannot
 * store one in text: refused before validation, naming where it was, instead of failing in the database.
 */
export async function refuseNul(request: FastifyRequest): Promise<void> {
  const found: ErrorDetail[] = [];
  const budget = { left: 100_000 };
  nulPaths(request.params, 'params', found, budget);
  nulPaths(request.query, 'querystring', found, budget);
  nulPaths(request.body, 'body', found, budget);
  if (found.length > 0) {
    throw new GatehouseError('invalid_request', `The request is invalid: ${found.map((d) => `${d.path}: ${d.message}`).join('; ')}`, { details: found });
  }
}
