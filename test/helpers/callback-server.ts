import { createServer, type IncomingMessage } from 'node:http';

export interface ReceivedCallback {
  method: string;
  url: URL;
  /** The urlencoded body of a form_post callback. */
  form: URLSearchParams;
}

/**
 * A stand-in application on 127.0.0.1: records every request to its redirect URI, so that
 * browser tests observe what Gatehouse sent back (query, fragment page or form_post).
 */
export async function startCallbackServer() {
  const received: ReceivedCallback[] = [];
  const waiters: Array<(callback: ReceivedCallback) => void> = [];
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => resolve(body));
    });
  const server = createServer(async (req, res) => {
    const callback = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://127.0.0.1'), form: new URLSearchParams(await readBody(req)) };
    received.push(callback);
    waiters.shift()?.(callback);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><title>Callback</title><p>Signed in.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    /** The next request to arrive; a redirect that never comes fails the test after `waitMs` instead of holding the file until its timeout. */
    next(waitMs = 30_000): Promise<ReceivedCallback> {
      return new Promise((resolve, reject) => {
        const waiter = (callback: ReceivedCallback) => {
          clearTimeout(timer);
          resolve(callback);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no request reached the callback server within ${waitMs} ms`));
        }, waitMs);
        waiters.push(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
