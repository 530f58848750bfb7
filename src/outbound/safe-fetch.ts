import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { defaults } from '../config/defaults.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { addressRefusal, plainHttpRefusal } from './address-policy.js';

/** How outbound requests are bounded; defaults.outbound, with the operator's GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS. */
export interface OutboundPolicy {
  allowPrivate: boolean;
  timeoutMilliseconds: number;
  maxResponseBytes: number;
}

/** A bound on one requester's answers below the policy's maxResponseBytes (a logo), and why, for the refusal. */
export interface AnswerLimit {
  maxResponseBytes: number;
  /** Ends the refusal: "answered with more than N bytes, more than {this}". */
  beyond: string;
}

/** The subset of `fetch` that openid-client's `customFetch` (and jose's remote key sets) call. */
export type SafeFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface Outbound {
  readonly policy: OutboundPolicy;
  /**
   * A `fetch` for one requester; every refusal and failure is a GatehouseError that names it
   * (`connection "okta"`) and the host: `upstream_address_refused` for an address Gatehouse may
   * not reach, `upstream_failed` for anything else.
   */
  fetchFor(requester: string, limit?: AnswerLimit): SafeFetch;
  /** Closes the kept-alive connections. */
  close(): Promise<void>;
}

/** Raised inside the connection's own lookup, so that the refusal reaches the caller through undici's "fetch failed". */
class AddressRefused extends Error {}

/**
 * A lookup that resolves every address of the name and refuses them all if any one may not be
 * reached; the socket then connects to one of exactly these addresses. The check and the connect
 * use one resolution, so a name that answers differently the second time (DNS rebinding)
 * never gets a private address past the check.
 */
function checkedLookup(allowPrivate: boolean, plainHttp: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refusals = addresses.map((entry) => addressRefusal(entry.address, { allowPrivate, plainHttp })).filter((reason) => reason !== undefined);
      if (refusals.length > 0 || addresses.length === 0) {
        return callback(new AddressRefused(`${hostname} resolves to an address Gatehouse may not reach: ${refusals[0] ?? 'none at all'}`), '', 0);
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/** Reads the body to the end, refusing it as soon as it passes the limit instead of buffering whatever is sent. */
async function readLimited(response: { body: ReadableStream<Uint8Array> | null; headers: { get(name: string): string | null } }, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function codeOf(error: unknown): string | undefined {
  const { code, errors } = (error ?? {}) as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  return Array.isArray(errors) ? codeOf(errors[0]) : undefined;
}

/** What went wrong with a connection attempt, in words an administrator can act on. */
function reasonOf(cause: unknown): string {
  const code = codeOf(cause);
  switch (code) {
    case 'ENOTFOUND':
      return 'the host name does not resolve (ENOTFOUND)';
    case 'EAI_AGAIN':
      return 'the host name cannot be resolved right now (EAI_AGAIN)';
    case 'ECONNREFUSED':
      return 'the connection was refused (ECONNREFUSED): nothing listens there';
    case 'ECONNRESET':
      return 'the connection was reset (ECONNRESET)';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `the network cannot reach it (${code})`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'the connection timed out';
    default:
      if (code && /CERT|SSL|TLS|SELF_SIGNED/.test(code)) return `its TLS certificate is not accepted (${code})`;
      return `${(cause as Error)?.message ?? String(cause)}${code ? ` (${code})` : ''}`;
  }
}

/**
 * Outbound requests that cannot be turned against Gatehouse's own network: bounded in time and
 * size, following no redirect, and never to a private, loopback or link-local address (after DNS
 * resolution) unless `policy.allowPrivate`. openid-client asks every request with
 * `redirect: 'manual'` and cannot use a redirect's answer, so a redirect is refused whatever the
 * caller asks: Test connection then fails where a sign-in would, with the same message.
 */
export function createOutbound(overrides: Partial<OutboundPolicy> & Pick<OutboundPolicy, 'allowPrivate'>): Outbound {
  const policy: OutboundPolicy = { ...defaults.outbound, ...overrides };
  const agents = new Map<string, Agent>();
  const agentFor = (protocol: string): Agent => {
    let agent = agents.get(protocol);
    if (!agent) {
      agent = new Agent({
        connect: { lookup: checkedLookup(policy.allowPrivate, protocol === 'http:'), timeout: policy.timeoutMilliseconds },
        headersTimeout: policy.timeoutMilliseconds,
        bodyTimeout: policy.timeoutMilliseconds,
      });
      agents.set(protocol, agent);
    }
    return agent;
  };

  function fetchFor(requester: string, limit?: AnswerLimit): SafeFetch {
    const maxResponseBytes = Math.min(limit?.maxResponseBytes ?? policy.maxResponseBytes, policy.maxResponseBytes);
    const beyond = limit?.beyond ?? "an identity provider's answer needs";
    const failed = (message: string, cause?: unknown) => new GatehouseError('upstream_failed', `${requester}: ${message}`, { cause });
    const refused = (message: string, cause?: unknown) => new GatehouseError('upstream_address_refused', `${requester}: ${message}`, { cause });

    /** The scheme and a literal address are checked here: a connection to an IP address asks no lookup. */
    function assertMayRequest(url: URL): void {
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw failed(`${url.href} is not an http or https URL`);
      if (url.protocol === 'http:' && !policy.allowPrivate) {
        throw refused(`${url.host}: ${plainHttpRefusal}`);
      }
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host)) {
        const refusal = addressRefusal(host, { allowPrivate: policy.allowPrivate, plainHttp: url.protocol === 'http:' });
        if (refusal) throw refused(refusal);
      }
    }

    async function request(url: URL, init: RequestInit): Promise<Response> {
      assertMayRequest(url);
      const timeout = AbortSignal.timeout(policy.timeoutMilliseconds);
      const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
      const seconds = policy.timeoutMilliseconds / 1000;
      const timedOut = (cause: unknown) => failed(`${url.host} did not answer within ${timeout.aborted ? `${seconds} seconds` : 'the time allowed'}`, cause);
      let response: Awaited<ReturnType<typeof undiciFetch>>;
      try {
        response = await undiciFetch(url, { ...(init as UndiciRequestInit), redirect: 'manual', signal, dispatcher: agentFor(url.protocol) });
      } catch (error) {
        if (signal.aborted) throw timedOut(error);
        const cause = (error as Error).cause ?? error;
        if (cause instanceof AddressRefused) throw refused(cause.message, cause);
        throw failed(`cannot reach ${url.host}: ${reasonOf(cause)}`, cause);
      }
      const headers = new Headers([...response.headers]);
      if (redirectStatuses.has(response.status) && headers.has('location')) {
        await response.body?.cancel();
        let target: string;
        try {
          target = new URL(headers.get('location')!, url).href;
        } catch {
          target = JSON.stringify(headers.get('location'));
        }
        throw failed(`${url.href} redirects to ${target} (HTTP ${response.status}); Gatehouse follows no redirects: configure the URL it redirects to`);
      }
      let body: Uint8Array | undefined;
      try {
        body = await readLimited(response, maxResponseBytes);
      } catch (error) {
        if (signal.aborted) throw timedOut(error);
        throw failed(`${url.host} broke off its answer: ${reasonOf(error)}`, error);
      }
      if (body === undefined) throw failed(`${url.host} answered with more than ${maxResponseBytes} bytes, more than ${beyond}`);
      return new Response(nullBodyStatuses.has(response.status) ? null : body, { status: response.status, statusText: response.statusText, headers });
    }

    return (input, init = {}) => request(new URL(input), init);
  }

  return {
    policy,
    fetchFor,
    async close() {
      await Promise.all([...agents.values()].map((agent) => agent.close()));
      agents.clear();
    },
  };
}
