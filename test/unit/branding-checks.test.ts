import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { contrastWithWhite, formatRatio } from '../../src/branding/contrast.js';
import { builtinIcon } from '../../src/branding/favicon.js';
import { createLogoFetcher } from '../../src/branding/fetch-logo.js';
import { logoTypeOf } from '../../src/branding/image-type.js';
import { isGatehouseError } from '../../src/errors/gatehouse-error.js';
import { createOutbound, type Outbound } from '../../src/outbound/safe-fetch.js';
import { gif, png, svg } from '../helpers/logo-server.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('what a logo is, by its bytes', () => {
  test('PNG, JPEG, GIF and WebP by their signatures, SVG by its root element', () => {
    assert.equal(logoTypeOf(png), 'image/png');
    assert.equal(logoTypeOf(gif), 'image/gif');
    assert.equal(logoTypeOf(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10)), 'image/jpeg');
    assert.equal(logoTypeOf(bytes('RIFF\u0024\u0000\u0000\u0000WEBPVP8 ')), 'image/webp');
    assert.equal(logoTypeOf(svg), 'image/svg+xml');
    assert.equal(logoTypeOf(bytes('\uFEFF  <svg xmlns="http://www.w3.org/2000/svg"/>')), 'image/svg+xml', 'a byte order mark and blanks first');
    assert.equal(logoTypeOf(bytes('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg>')), 'image/svg+xml');
  });

  test('anything else is none of them: a page, a riff that is not WebP, an SVG that defines entities, text that is not UTF-8, nothing', () => {
    for (const [what, value] of [
      ['an HTML page', bytes('<!DOCTYPE html><html><body><svg></svg></body></html>')],
      ['a WAV file', bytes('RIFF\u0024\u0000\u0000\u0000WAVEfmt ')],
      ['an internal subset', bytes('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>')],
      ['an unterminated comment', bytes('<!-- <svg>')],
      ['an element named svgx', bytes('<svgx/>')],
      ['Latin-1 bytes', Uint8Array.of(0x3c, 0x73, 0x76, 0x67, 0x3e, 0xe9)],
      ['JSON', bytes('{"logo":"<svg>"}')],
      ['nothing', new Uint8Array()],
    ] as const) {
      assert.equal(logoTypeOf(value), undefined, what);
    }
  });
});

describe('the contrast of white text on the primary colour (WCAG 2.2)', () => {
  test('from 1:1 on white to 21:1 on black; the grey at the 4.5:1 boundary on each side', () => {
    assert.equal(contrastWithWhite('#ffffff'), 1);
    assert.equal(Math.round(contrastWithWhite('#000000') * 1000) / 1000, 21);
    assert.ok(contrastWithWhite('#767676') >= 4.5, '#767676 is the lightest grey that passes');
    assert.ok(contrastWithWhite('#777777') < 4.5);
    assert.ok(contrastWithWhite('#1d4ed8') >= 4.5, 'the default colour passes');
  });

  test('a ratio is shown rounded down, so a refused one never reads as the minimum', () => {
    assert.equal(formatRatio(4.4999), '4.49:1');
    assert.equal(formatRatio(21), '21.00:1');
  });
});

describe('fetching a logo', () => {
  let site: Server;
  let origin: string;
  let strict: Outbound;

  before(async () => {
    site = createServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(png));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    strict = createOutbound({ allowPrivate: false });
  });
  after(async () => {
    await strict.close();
    site.closeAllConnections();
    await new Promise((resolve) => site.close(resolve));
  });

  test('without GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS, plain http and loopback addresses are refused on logo_url, before any request', async () => {
    const fetchLogo = createLogoFetcher(strict);
    for (const [url, reason] of [[`${origin}/logo.png`, /must use https/], ['https://127.0.0.1:1/logo.png', /loopback/]] as const) {
      await assert.rejects(fetchLogo(url), (error) => {
        assert.ok(isGatehouseError(error));
        assert.equal(error.code, 'invalid_request');
        assert.deepEqual(error.details.map((detail) => detail.path), ['body.logo_url']);
        assert.match(error.details[0]!.message, reason);
        return true;
      }, url);
    }
  });

  test('with it, the same logo is fetched and named by a hash of its bytes', async () => {
    const allowed = createOutbound({ allowPrivate: true });
    try {
      const logo = await createLogoFetcher(allowed)(`${origin}/logo.png`);
      assert.deepEqual([logo.contentType, Buffer.from(logo.bytes).equals(png), logo.sourceUrl], ['image/png', true, `${origin}/logo.png`]);
      assert.match(logo.hash, /^[0-9a-f]{16}$/);
    } finally {
      await allowed.close();
    }
  });
});

describe('the built-in icon', () => {
  test('is drawn in the primary colour, and a stored value that is no #rrggbb colour (a row changed by hand) gives the default instead', () => {
    assert.match(builtinIcon('#0F766E'), /fill="#0f766e"/);
    const injected = builtinIcon('red"/><script>alert(1)</script><rect fill="');
    assert.doesNotMatch(injected, /script/);
    assert.match(injected, /fill="#1d4ed8"/);
  });
});
