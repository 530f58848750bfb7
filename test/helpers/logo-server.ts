import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A 1×1 PNG and a 1×1 GIF, as image editors write them. */
export const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
export const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** An SVG with a script: harmless in an <img>, and served so that opened directly it runs nothing. */
export const svg = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<!-- Acme's mark -->
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><script>alert(document.domain)</script><rect width="120" height="40" fill="#0f766e"/></svg>
`);

/** What each path answers: a body and its Content-Type, or a status of its own. */
const answers: Record<string, { status?: number; type?: string; body?: Buffer; headers?: Record<string, string> }> = {
  '/logo.png': { type: 'image/png', body: png },
  // The Content-Type is not what decides: the bytes are a GIF whatever the header says.
  '/logo.gif': { type: 'application/octet-stream', body: gif },
  '/logo.svg': { type: 'image/svg+xml', body: svg },
  '/not-an-image.png': { type: 'image/png', body: Buffer.from('<!DOCTYPE html><title>Not found</title><p>This is a page.</p>') },
  '/empty.png': { type: 'image/png', body: Buffer.alloc(0) },
  // A real PNG signature, then far more than a logo may have.
  '/huge.png': { type: 'image/png', body: Buffer.concat([png, Buffer.alloc(300 * 1024)]) },
  '/gone.png': { status: 404, type: 'text/plain', body: Buffer.from('gone') },
  '/moved.png': { status: 302, headers: { location: '/logo.png' } },
};

export interface LogoServer {
  /** http://127.0.0.1:{port}: private, reached only with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true. */
  origin: string;
  /** The paths asked for so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A local stand-in for the website a logo is fetched from. */
export async function startLogoServer(): Promise<LogoServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    const answer = answers[path] ?? { status: 404 };
    response.writeHead(answer.status ?? 200, { ...(answer.type ? { 'content-type': answer.type } : {}), ...answer.headers });
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
