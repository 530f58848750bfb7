import type { FastifySchemaValidationError } from 'fastify';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { validationDetails } from '../error-responses.js';

/**
 * How the sign-in routes answer input their route schemas refuse: a `:uid` that cannot be one
 * names no sign-in request (404); a form or query that does not fit is invalid_request, naming
 * the first field that does not and why.
 */
export function validationErrorFormatter(errors: FastifySchemaValidationError[], part: string): Error {
  if (part === 'params') return new GatehouseError('not_found', 'No such sign-in request.');
  const field = errors[0]?.instancePath.replace(/^\//, '').replaceAll('/', '.') ?? '';
  const what = part === 'body' ? 'form' : 'request';
  return new GatehouseError('invalid_request', `The ${what} is invalid: ${field} ${errors[0]?.message ?? ''}`, {
    details: validationDetails(errors, part),
  });
}
