/** An sRGB channel (two hex digits) as linear light, by WCAG 2.2's definition of relative luminance. */
function linear(hex: string): number {
  const value = Number.parseInt(hex, 16) / 255;
  return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2.2's relative luminance of a `#rrggbb` colour: 0 for black, 1 for white. */
function luminance(color: string): number {
  return 0.2126 * linear(color.slice(1, 3)) + 0.7152 * linear(color.slice(3, 5)) + 0.0722 * linear(color.slice(5, 7));
}

/** The contrast ratio (1 to 21) of white text on a `#rrggbb` background: how the pages draw their buttons. */
export function contrastWithWhite(color: string): number {
  return (1 + 0.05) / (luminance(color) + 0.05);
}

/** A ratio as people read it, `3.68:1`, rounded down so that a refused colour never shows the minimum it missed. */
export function formatRatio(ratio: number): string {
  return `${(Math.floor(ratio * 100) / 100).toFixed(2)}:1`;
}
