import type { Locale } from '../../i18n/locales.js';
import { escapeHtml } from '../../views/html.js';

/** What a rendered message is: a subject, and the same content as plain text and as HTML. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** A block of the message: a heading, a paragraph, or a link shown as a button with its address beside it. */
export type Block = { kind: 'heading'; text: string } | { kind: 'paragraph'; text: string } | { kind: 'link'; text: string; url: string };

/**
 * Both parts of a message from the same blocks. The HTML is plain and self-contained: inline
 * styles, no image, no script, no remote resource and no tracking pixel or rewritten link, so
 * that it reads the same in every client, and a link in it is exactly the one in the text part.
 */
export function layout(locale: Locale, subject: string, blocks: Block[], footer: string): RenderedEmail {
  const text = [...blocks.map((block) => (block.kind === 'link' ? `${block.text}:\n${block.url}` : block.text)), '--', footer].join('\n\n');
  const html = [
    '<!doctype html>',
    `<html lang="${escapeHtml(locale)}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f4f4f5;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#18181b">',
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">',
    ...blocks.map(blockHtml),
    `<p style="margin-top:32px;font-size:12px;color:#71717a">${escapeHtml(footer)}</p>`,
    '</div></body></html>',
  ].join('\n');
  return { subject, text: `${text}\n`, html: `${html}\n` };
}

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(block.text)}</h1>`;
    case 'paragraph':
      return `<p style="font-size:15px;line-height:1.5">${escapeHtml(block.text)}</p>`;
    case 'link':
      return `<p><a href="${escapeHtml(block.url)}" style="display:inline-block;background:#1d4ed8;color:#ffffff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(block.text)}</a></p>`
        + `<p style="font-size:12px;color:#71717a;word-break:break-all">${escapeHtml(block.url)}</p>`;
  }
}
