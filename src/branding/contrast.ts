/** An sRGB channel (two hex digits) as linear light, by WCAG 2.2's definition of relative luminance. */
function linear(hex: string): number {
  const value = Number.parseInt(hex, 16) / 255;
  return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2.2's relative luminance of a `#rrggbb` colour: 0 for black, 1 for white. */
function luminance(color: string): number {
  return 0.2126 * linear(color.slice(1, 3)) + 0.7152 * linear(color.slice(3, 5)) + 0.0722 * linear(color.slice(5, 7));
}

/** The contrast ratio (1 to 21) of two `#rrggbb` colours, by WCAG 2.2's definition. */
export function contrastBetween(one: string, other: string): number {
  const [lighter, darker] = [luminance(one), luminance(other)].sort((a, b) => b - a) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

/** The contrast ratio (1 to 21) of white text on a `#rrggbb` background: how the pages draw their buttons. */
export function contrastWithWhite(color: string): number {
  return contrastBetween('#ffffff', color);
}

/** The text colour that reads best on a `#rrggbb` background: black or white, whichever contrasts more (always at least 4.58:1). */
export function textColorOn(background: string): '#000000' | '#ffffff' {
  return contrastBetween('#000000', background) >= contrastWithWhite(background) ? '#000000' : '#ffffff';
}

/** A ratio as people read it, `3.68:1`, rounded down so that a refused colour never shows the minimum it missed. */
export function formatRatio(ratio: number): string {
  return `${(Math.floor(ratio * 100) / 100).toFixed(2)}:1`;
}

/** `color` taken `share` (0 to 1) of the way to `other`, channel by channel, as `#rrggbb`. */
function mix(color: string, other: string, share: number): string {
  const channel = (at: number) => {
    const [from, to] = [Number.parseInt(color.slice(at, at + 2), 16), Number.parseInt(other.slice(at, at + 2), 16)];
    return Math.round(from + (to - from) * share).toString(16).padStart(2, '0');
  };
  return `#${channel(1)}${channel(3)}${channel(5)}`;
}

/**
 * The shade of `color` nearest to it that contrasts `minimum` with `background`: moved toward
 * `text` (the page's text colour, `textColorOn(background)`, which always reaches 4.5:1) a tenth
 * at a time, so that a red stays as red and an accent as coloured as the background allows.
 */
export function readableShade(color: string, background: string, text: string, minimum: number): string {
  for (let tenths = 0; tenths < 10; tenths += 1) {
    const shade = mix(color, text, tenths / 10);
    if (contrastBetween(shade, background) >= minimum) return shade;
  }
  return text;
}
