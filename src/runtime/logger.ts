import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured logs without secrets: credentials, cookies and query strings (which can carry
 * id_token_hint or codes) never reach the log.
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
  };
  return destination ? pino(options, destination) : pino(options);
}
