/** The image types a logo may be: what every browser shows in an <img>. */
export const logoTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml'] as const;

export type LogoType = (typeof logoTypes)[number];

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((byte, index) => bytes[at + index] === byte);

const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0));

/** The signatures of the raster formats, from their specifications (PNG §5.2, JFIF's SOI marker, GIF87a/89a, RIFF WebP). */
const signatures: Array<{ type: LogoType; matches: (bytes: Uint8Array) => boolean }> = [
  { type: 'image/png', matches: (bytes) => startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/jpeg', matches: (bytes) => startsWith(bytes, [0xff, 0xd8, 0xff]) },
  { type: 'image/gif', matches: (bytes) => startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a')) },
  { type: 'image/webp', matches: (bytes) => startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8) },
];

/**
 * Whether the text is an SVG document: UTF-8, and past an optional byte order mark, XML
 * declaration, comments and a document type declaration without an internal subset (which
 * could define entities), its root element is `<svg`. What it draws is not checked: it is shown
 * in an <img>, which runs nothing, and served opened directly under a sandboxing CSP.
 */
function isSvg(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return false;
  }
  let rest = text;
  for (;;) {
    rest = rest.trimStart();
    const skipped = [['<?xml', '?>'], ['<!--', '-->'], ['<!DOCTYPE', '>']].find(([open]) => rest.startsWith(open!));
    if (!skipped) break;
    const end = rest.indexOf(skipped[1]!);
    if (end < 0) return false;
    if (skipped[0] === '<!DOCTYPE' && rest.slice(0, end).includes('[')) return false;
    rest = rest.slice(end + skipped[1]!.length);
  }
  return /^<svg[\s>/]/.test(rest);
}

/**
 * What the bytes are, from the bytes themselves: the other server's Content-Type is not
 * believed, and a logo is served with the type found here. Undefined for anything else.
 */
export function logoTypeOf(bytes: Uint8Array): LogoType | undefined {
  return signatures.find((signature) => signature.matches(bytes))?.type ?? (isSvg(bytes) ? 'image/svg+xml' : undefined);
}
