import pino, { type DestinationStream, type Logger } from 'pino';
import { bindsRequestId, currentRequestId } from './request-id-scope.js';

/** What the mixin returns when it adds nothing: compared by identity, so that no object is made or merged for it. */
const nothing: object = Object.freeze({});

/**
 * Structured logs without secrets: credentials, cookies and query strings (which can carry
 * id_token_hint or codes) never reach the log. A line written while a request is served carries
 * the request's id as `reqId`, whichever logger wrote it (request-id-scope.ts).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.client_secret', '*.secret', '*.token'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split('?')[0], ip: req.ip }),
    },
    mixin(_line: object, _level: number, logger: Logger): object {
      if ((logger as { [bindsRequestId]?: true })[bindsRequestId]) return nothing;
      const reqId = currentRequestId();
      return reqId === undefined ? nothing : { reqId };
    },
    // pino's default merge assigns into the mixin's object, which `nothing` must never be.
    mixinMergeStrategy: (line: object, mixed: object): object => (mixed === nothing ? line : Object.assign(mixed, line)),
  };
  return destination ? pino(options, destination) : pino(options);
}
