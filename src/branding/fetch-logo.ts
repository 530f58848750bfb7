import { createHash } from 'node:crypto';
import { defaults } from '../config/defaults.js';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';
import { upstreamUrlProblem } from '../outbound/address-policy.js';
import type { Outbound } from '../outbound/safe-fetch.js';
import { logoTypeOf, logoTypes, type LogoType } from './image-type.js';

/** A logo as fetched and checked, ready to be stored. */
export interface FetchedLogo {
  bytes: Uint8Array;
  contentType: LogoType;
  /** The first 16 hex digits of the bytes' SHA-256: enough to tell a logo from the one before. */
  hash: string;
  sourceUrl: string;
}

/** `field` is where the URL came in (the global branding's `body.logo_url` unless named), which every refusal names so that a form shows it there. */
export type LogoFetcher = (url: string, field?: string) => Promise<FetchedLogo>;

/** A refusal of the URL, as the API reports a field's: nothing was stored. */
function refused(field: string, message: string, cause?: unknown): GatehouseError {
  return new GatehouseError('invalid_request', `The request is invalid: ${field}: ${message}`, { details: [{ path: field, message }], cause });
}

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

/** The outbound guard names the requester first ("logo: …"); the field already says what it is about. */
const requester = 'logo';
const withoutRequester = (message: string) => (message.startsWith(`${requester}: `) ? message.slice(requester.length + 2) : message);

/**
 * Fetches a logo once, when an administrator sets it: through the outbound guard (no private or
 * loopback address unless GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS, a timeout, no redirect followed),
 * at most defaults.branding.maxLogoBytes read, and only bytes that are an image of one of the
 * logo types. The pages then serve it from Gatehouse, so the login page never asks another site
 * for anything and its CSP stays `img-src 'self' data:`. Every failure is a field error on
 * the URL's field (400), never the 502 of an upstream identity provider's.
 */
export function createLogoFetcher(outbound: Outbound): LogoFetcher {
  const { maxLogoBytes } = defaults.branding;
  const fetchLogo = outbound.fetchFor(requester, { maxResponseBytes: maxLogoBytes, beyond: `the ${kib(maxLogoBytes)} a logo may have` });

  return async (url, field = 'body.logo_url') => {
    const problem = upstreamUrlProblem(url, outbound.policy.allowPrivate);
    if (problem) throw refused(field, problem);
    let response: Response;
    try {
      response = await fetchLogo(url, { headers: { accept: logoTypes.join(', ') } });
    } catch (error) {
      if (isGatehouseError(error)) throw refused(field, `could not be fetched: ${withoutRequester(error.message)}`, error);
      throw error;
    }
    if (!response.ok) throw refused(field, `could not be fetched: ${new URL(url).host} answered HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const contentType = logoTypeOf(bytes);
    if (!contentType) {
      const said = response.headers.get('content-type');
      throw refused(field, `is not a PNG, JPEG, GIF, WebP or SVG image (its bytes are none of them${said ? `, whatever its Content-Type "${said.slice(0, 100)}" says` : ''})`);
    }
    return { bytes, contentType, hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16), sourceUrl: url };
  };
}
