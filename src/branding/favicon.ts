import { defaults } from '../config/defaults.js';
import { writableColor } from './branding-schema.js';
import type { LogoType } from './image-type.js';

/** The largest side of a logo still served as the icon: browsers draw icons at 16 to 32 pixels, 48 to 192 on high-density screens and home screens. */
const maxIconSide = 512;

/** Width and height from a PNG's IHDR chunk (PNG §11.2.2) or a GIF's logical screen descriptor; undefined for the other types. */
function rasterSize(bytes: Uint8Array, type: LogoType): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === 'image/png' && bytes.length >= 24) return { width: view.getUint32(16), height: view.getUint32(20) };
  if (type === 'image/gif' && bytes.length >= 10) return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  return undefined;
}

/**
 * Whether a logo can be the site's icon as it is: a square PNG or GIF, small enough (every
 * browser takes those at /favicon.ico). A wide logo would be squeezed into a square, and an SVG's
 * shape is not known without drawing it: those leave Gatehouse's own icon in place.
 */
export function suitsAsIcon(bytes: Uint8Array, type: LogoType): boolean {
  const size = rasterSize(bytes, type);
  return size !== undefined && size.width === size.height && size.width > 0 && size.width <= maxIconSide;
}

/** Gatehouse's own icon, in the pages' primary colour: a gate's arch on a rounded square. */
export function builtinIcon(primaryColor: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">`
    + `<rect width="32" height="32" rx="7" fill="${writableColor(primaryColor, defaults.branding.primaryColor)}"/>`
    + `<path d="M9 25V15a7 7 0 0 1 14 0v10h-3.5V15a3.5 3.5 0 0 0-7 0v10z" fill="#fff"/>`
    + `</svg>`;
}
