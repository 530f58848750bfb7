import { z } from 'zod';
import { errorCodes, type ErrorCode } from '../errors/codes.js';

/** An RFC 9457 problem document, as src/http/error-responses.ts sends every error. */
export const problemSchema = z.object({
  type: z.string().describe('Always about:blank: `code` tells the problems apart.'),
  code: z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]).describe('One of the stable error codes of docs/errors.md.'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional()
    .describe('One entry per refused field: `body.redirect_uris.0`, `querystring.limit`.'),
}).meta({ id: 'Problem' });

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

/** The problems every management route may answer with, besides its own success. */
export const commonProblems = {
  400: problemResponse('The request is invalid: `details` names each refused field.'),
  401: problemResponse('No access token, or one Gatehouse did not issue, expired or revoked.'),
  403: problemResponse('The token lacks gatehouse:manage, or its user is not an administrator.'),
};

/** A record's problems: it is not there, or the change conflicts (a taken name, a record the configuration file declares). */
export const recordProblems = {
  ...commonProblems,
  404: problemResponse('No such record.'),
  409: problemResponse('A conflict: a name taken already, or a record the configuration file declares.'),
};

/** The answer of a request that succeeded without anything to return. */
export const noContent = { 204: z.null().describe('Done.') };
