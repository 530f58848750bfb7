import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { defaults } from '../config/defaults.js';
import type { EngineHolder } from '../oidc/engine-holder.js';
import { oauthError } from '../oidc/oauth-error.js';
import { applySecurityHeaders, headerSets, useHeaderSet } from './security-headers.js';

export interface OidcMountOptions {
  engine: Pick<EngineHolder, 'callback'>;
}

/**
 * Hands every request under /oidc to oidc-provider untouched: the body stream is left unread
 * (the engine parses it) and the mount path is stripped the way oidc-provider expects (it
 * derives the mount from req.originalUrl). The engine writes its answers, pages among them, on
 * the raw Node response, so the pages' header set is put there too.
 */
export const oidcMount: FastifyPluginAsync<OidcMountOptions> = async (scope, { engine }) => {
  const mountPath = defaults.oidcMountPath;
  const callback = engine.callback();
  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    if (Number(request.headers['content-length']) > defaults.oidcBodyLimitBytes) return refuseOversized(request, reply);
    reply.hijack();
    const raw = request.raw as IncomingMessage & { originalUrl?: string };
    const rest = raw.url!.slice(mountPath.length);
    raw.originalUrl = raw.url;
    raw.url = rest.startsWith('/') ? rest : `/${rest}`;
    applySecurityHeaders(reply.raw, headerSets.page);
    callback(raw, reply.raw);
  };
  useHeaderSet(scope, headerSets.page);
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
  scope.all(mountPath, handler);
  scope.all(`${mountPath}/*`, handler);
};

/**
 * The engine refuses a declared oversized body too, but as 400 "failed to parse the request
 * body" and without reading it, so a client still uploading sees the connection reset instead
 * of the answer. The body is drained so that the 413 arrives.
 */
function refuseOversized(request: FastifyRequest, reply: FastifyReply) {
  request.raw.resume();
  applySecurityHeaders(reply.raw);
  const answer = oauthError(413, 'invalid_request', `the request body is larger than ${defaults.oidcBodyLimitBytes / 1024} KiB`);
  return reply.code(answer.status).headers(answer.headers).header('connection', 'close').send(answer.body);
}
