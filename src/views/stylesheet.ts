import { createHash } from 'node:crypto';
import { boundedMemo } from '../branding/bounded-memo.js';
import type { Branding } from '../branding/branding.js';
import { hexColor, writableColor } from '../branding/branding-schema.js';
import { readableShade, textColorOn } from '../branding/contrast.js';
import { defaults } from '../config/defaults.js';

export const stylesheetPath = '/assets/gatehouse.css';

/** The colours a stylesheet is built with: the branding's, an application's own over the global ones. */
export type PageColors = Pick<Branding, 'primaryColor' | 'backgroundColor'>;

/** WCAG 2.2 AA (1.4.3): error messages and links are text, and must read as well as the rest. */
const minTextContrastRatio = 4.5;

/** The error red on a light page (Red 700, 6.5:1 on white) and on a dark one (Red 400, 6.8:1 on #121212). */
const errorOnLight = '#b91c1c';
const errorOnDark = '#f87171';

/**
 * The page's colours as CSS: without a background of the branding's, the browser's own light or
 * dark one (Canvas), the error red following it; with one, the text black or white, whichever
 * reads better on it, the form controls in the matching scheme, and the error red and the links
 * (in the accent) shaded toward the text until they read on it as well as text must.
 */
function palette(accent: string, background: string | null): string {
  if (background === null) {
    return `:root { color-scheme: light dark; --accent: ${accent}; --background: Canvas; --text: CanvasText; --error: ${errorOnLight}; }
@media (prefers-color-scheme: dark) { :root { --error: ${errorOnDark}; } }`;
  }
  const text = textColorOn(background);
  const dark = text === '#ffffff';
  const error = readableShade(dark ? errorOnDark : errorOnLight, background, text, minTextContrastRatio);
  const link = readableShade(accent, background, text, minTextContrastRatio);
  return `:root { color-scheme: ${dark ? 'dark' : 'light'}; --accent: ${accent}; --background: ${background}; --text: ${text}; --error: ${error}; }
a { color: ${link}; }`;
}

/** The one stylesheet of the sign-in pages, with the branding's colours in its variables; served by Gatehouse itself, no third-party assets. */
const rules = (accent: string, background: string | null) => `
${palette(accent, background)}
:root { --border: #8888; }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; align-items: flex-start; justify-content: center;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--background); color: var(--text); }
.card { width: 100%; max-width: 26rem; margin: 2rem 1rem; padding: 1.5rem; border: 1px solid var(--border); border-radius: .75rem; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
nav.account ul { list-style: none; margin: 0 0 1rem; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem .9rem; font-size: .9rem; }
nav.account a[aria-current] { font-weight: 600; text-decoration: none; color: inherit; }
p { margin: 0 0 1rem; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
input[type=text], input[type=password], input[type=email], input[type=url], input[type=tel], select { width: 100%; padding: .6rem .7rem; font: inherit;
  border: 1px solid var(--border); border-radius: .4rem; background: Field; color: FieldText; }
input:focus-visible, select:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
button { font: inherit; font-weight: 600; padding: .6rem 1rem; border-radius: .4rem; border: 1px solid var(--accent); cursor: pointer; }
button.primary { background: var(--accent); color: #fff; width: 100%; margin-top: 1.25rem; }
button.secondary { background: transparent; color: inherit; }
.actions { display: flex; gap: .75rem; margin-top: 1.25rem; flex-wrap: wrap; }
.actions > form, .actions > button { flex: 1 1 8rem; margin: 0; }
.actions button { width: 100%; margin-top: 0; }
.error { color: var(--error); border-left: 4px solid var(--error); padding: .5rem .75rem; margin-bottom: 1rem; }
ul.scopes { padding-left: 1.25rem; }
ul.scopes li { margin: .25rem 0; }
.muted { opacity: .75; font-size: .9rem; }
.connections { margin-top: 1.5rem; }
.connections .divider { text-align: center; margin: 0 0 .5rem; }
.connections button { width: 100%; margin-top: .5rem; }
table.claims { width: 100%; border-collapse: collapse; font-size: .9rem; margin-bottom: 1rem; }
table.claims th, table.claims td { text-align: left; vertical-align: top; padding: .25rem .5rem .25rem 0; border-bottom: 1px solid var(--border); }
table.claims td { word-break: break-all; }
.brand { margin: 0 0 1rem; font-weight: 600; }
.brand img { display: block; max-height: 3rem; max-width: 12rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
section + section { border-top: 1px solid var(--border); }
.notice { border-left: 4px solid var(--accent); padding: .5rem .75rem; margin-bottom: 1rem; }
a.button { display: inline-block; font-weight: 600; padding: .6rem 1rem; border-radius: .4rem; border: 1px solid var(--accent); color: inherit; text-decoration: none; }
a.button.primary { background: var(--accent); color: #fff; }
a.button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
form.inline { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; margin: .5rem 0; }
form.inline label { flex-basis: 100%; margin: 0; }
form.inline input[type=text] { flex: 1 1 10rem; width: auto; }
ul.factors { list-style: none; padding: 0; }
ul.factors li { border-top: 1px solid var(--border); padding: .75rem 0; }
figure.qr { margin: 0 0 1rem; max-width: 14rem; background: #fff; padding: .5rem; border-radius: .4rem; }
figure.qr svg { display: block; width: 100%; height: auto; }
code.secret { word-break: break-all; font-size: 1rem; }
ul.codes { columns: 2; padding-left: 1.25rem; font-size: 1.05rem; }
details.recovery { margin-top: 1.25rem; }
details.recovery summary { cursor: pointer; font-weight: 600; }
form.passkey button { width: 100%; margin-top: .5rem; }
nav.languages { margin-top: 1.5rem; padding-top: .75rem; border-top: 1px solid var(--border); font-size: .85rem; }
nav.languages ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem .9rem; justify-content: center; }
nav.languages a { color: inherit; }
nav.languages a[aria-current] { font-weight: 600; text-decoration: none; }
`;

export interface Stylesheet {
  css: string;
  /** A short hash of the text: its URL's version, which changes with the colour and with a release that changes the rules. */
  version: string;
}

const built = boundedMemo<Stylesheet>(defaults.branding.memoSize);

/**
 * The stylesheet with these colours. The latest built are kept, by their colours: the global
 * ones, which nearly every page outside an application's sign-in asks for, and those of the
 * applications being signed in to.
 */
export function stylesheetFor(colors: PageColors): Stylesheet {
  const accent = writableColor(colors.primaryColor, defaults.branding.primaryColor);
  const background = colors.backgroundColor !== null && hexColor.test(colors.backgroundColor) ? colors.backgroundColor.toLowerCase() : null;
  const key = `${accent} ${background}`;
  const kept = built.get(key);
  if (kept) return kept;
  const css = rules(accent, background);
  return built.set(key, { css, version: createHash('sha256').update(css).digest('hex').slice(0, 16) });
}

/**
 * Where a page links the stylesheet of its branding: versioned, so that a browser may keep it for
 * good, and naming the application whose colours it has, for the stylesheet route to read them.
 */
export function stylesheetUrl(branding: PageColors & Pick<Branding, 'clientId'>): string {
  const application = branding.clientId === null ? '' : `app=${encodeURIComponent(branding.clientId)}&`;
  return `${stylesheetPath}?${application}v=${stylesheetFor(branding).version}`;
}
