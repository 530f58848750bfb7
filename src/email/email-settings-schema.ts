import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * How the connection to the mail server is protected:
 * - `starttls`: plain connection upgraded with STARTTLS, which must succeed (port 587);
 * - `tls`: TLS from the first byte ("implicit TLS", port 465);
 * - `none`: no encryption at all: the password and every message cross in clear, so it is only
 *   accepted for a mail server at a loopback address (127.0.0.1, ::1), or with `allow_insecure: true`.
 */
export const tlsModes = ['starttls', 'tls', 'none'] as const;

export type TlsMode = (typeof tlsModes)[number];

/** The port each mode usually runs on (RFC 8314 §3.3, RFC 6409 §3.1, RFC 5321 §4.5.4). */
export const defaultPorts: Record<TlsMode, number> = { starttls: 587, tls: 465, none: 25 };

/** An IPv6 address may be written in brackets (`[::1]`); the bare address, which nodemailer wants and the row stores. */
export function bareHost(host: string): string {
  return /^\[[^\]]*\]$/.test(host) && isIP(host.slice(1, -1)) === 6 ? host.slice(1, -1) : host;
}

/**
 * The mail server is on this machine: a literal loopback address (127.0.0.0/8, ::1). Not a name,
 * not even `localhost`: nodemailer resolves names through DNS first, so a name would trust DNS
 * with the password that `none` sends in clear.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = bareHost(host);
  if (isIP(bare) === 0) return false;
  return ipaddr.process(bare).range() === 'loopback';
}

/** A DNS name: dot-separated labels of letters, digits and inner dashes; no colon, so no port. */
const dnsName = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * A DNS name or a literal IP address (as net.connect reads one, so that it is never looked up),
 * nothing else: no scheme, no port. IPv6 may come in brackets; it is stored without (bareHost).
 */
const host = z.string().min(1).max(253)
  .refine((value) => isIP(bareHost(value)) !== 0 || dnsName.test(value), 'must be a host name or an IP address, without a scheme or port')
  .describe('The mail server\'s host name or IP address.');
const port = z.number().int().min(1).max(65535).describe('Its port; by default 587 for starttls, 465 for tls, 25 for none.');
const tls = z.enum(tlsModes).describe('starttls: upgrade with STARTTLS, which must succeed; tls: TLS from the start (port 465); none: no encryption, only to a loopback address (127.0.0.1, ::1) or with allow_insecure.');
const allowInsecure = z.boolean().describe('Allow tls: none to a mail server that is not on this machine: the password and the messages cross the network in clear.');
const user = z.string().min(1).max(256).describe('The SMTP user name, when the server asks for authentication.');
const password = z.string().min(1).max(1024).describe('The SMTP password; stored sealed and never shown again (has_password says whether there is one).');
const from = z.object({
  address: z.email({ error: 'must be an email address' }).max(320).describe('The sender address: one of a domain whose SPF, DKIM and DMARC let this mail server send for it.'),
  name: z.string().min(1).max(200).regex(/^[^\r\n]*$/, 'must be one line').optional().describe('The sender name people see, e.g. the product name.'),
}).strict().describe('Who the messages come from.');

/** The checks that span fields, with the field each failure names. */
function checkSettings(value: { host: string; tls: TlsMode; allow_insecure?: boolean | undefined; user?: string | undefined; password?: string | null | undefined }, context: z.RefinementCtx): void {
  if (value.tls === 'none' && !value.allow_insecure && !isLoopbackHost(value.host)) {
    context.addIssue({ code: 'custom', path: ['tls'], message: 'none sends the password and every message in clear: only to a loopback address (127.0.0.1, ::1), or with allow_insecure: true' });
  }
  if (typeof value.password === 'string' && value.user === undefined) {
    context.addIssue({ code: 'custom', path: ['user'], message: 'is required with a password' });
  }
}

/**
 * The settings as the configuration file's `email:` states them: the whole setting, so that a
 * field left out is its default, not what the database had.
 */
export const emailDeclarationSchema = z.object({
  host,
  port: port.optional(),
  tls: tls.default('starttls'),
  allow_insecure: allowInsecure.default(false),
  user: user.optional(),
  password: password.optional(),
  from,
}).strict().superRefine(checkSettings);

export type EmailDeclaration = z.infer<typeof emailDeclarationSchema>;

/**
 * The settings through the API (PUT): the whole setting as well, except the password, which is
 * never read back: left out, the stored one is kept (while the user stays, and only while the
 * server stays: see email-settings.ts); null removes it.
 */
export const emailSettingsInputSchema = z.object({
  host,
  port: port.optional(),
  tls: tls.default('starttls'),
  allow_insecure: allowInsecure.default(false),
  user: user.optional(),
  password: password.nullable().optional().describe('The SMTP password: left out, the stored one is kept, unless host, port, tls or user change (then it must be given again); null removes it. Never returned.'),
  from,
}).strict().superRefine(checkSettings);

export type EmailSettingsInput = z.infer<typeof emailSettingsInputSchema>;
