import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { defaults } from '../config/defaults.js';
import type { SmtpCredentials } from './email-settings.js';
import type { RenderedEmail } from './templates/layout.js';

/** One message handed to the mail server. */
export interface Envelope {
  to: string;
  content: RenderedEmail;
}

/** Hands messages to the mail server; `close` ends its connections. */
export interface MailTransport {
  /** Sends one message; `signal` aborting (the send's deadline) drops its connection. */
  send(envelope: Envelope, signal?: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * Errors that say the mail server cannot be reached or stopped answering, not that it refused
 * one message: the next message of the batch would only meet the same (nodemailer's codes, and
 * Node's for a refused connection).
 */
export const connectionErrorCodes: ReadonlySet<string> = new Set(['ECONNECTION', 'ETIMEDOUT', 'EDNS', 'ESOCKET', 'ECONNREFUSED']);

export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && connectionErrorCodes.has(code);
}

/** nodemailer's SMTP options for the settings: the TLS mode as asked, the timeouts of defaults.email, nothing read from files or URLs. */
function optionsOf({ settings, password }: SmtpCredentials): SMTPTransport.Options {
  const { email } = defaults;
  return {
    host: settings.host,
    port: settings.port,
    // `tls`: TLS from the first byte. `starttls`: the upgrade is required, never skipped when the server does not offer it.
    secure: settings.tls === 'tls',
    requireTLS: settings.tls === 'starttls',
    ignoreTLS: settings.tls === 'none',
    ...(settings.user !== null ? { auth: { user: settings.user, pass: password ?? '' } } : {}),
    connectionTimeout: email.connectionTimeoutMilliseconds,
    greetingTimeout: email.greetingTimeoutMilliseconds,
    socketTimeout: email.socketTimeoutMilliseconds,
    // The templates make the content; nothing in a message may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    debug: false,
  };
}

/** A transport over SMTP with the given settings, for one run of the sender. */
export function smtpTransport(credentials: SmtpCredentials): MailTransport {
  const transporter = nodemailer.createTransport(optionsOf(credentials));
  const { from } = credentials.settings;
  return {
    async send({ to, content }, signal) {
      const message: Mail.Options & { signal?: AbortSignal } = {
        from: from.name === null ? from.address : { name: from.name, address: from.address },
        to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        // RFC 3834: an automatic message, so that vacation responders do not answer it.
        headers: { 'Auto-Submitted': 'auto-generated' },
        // nodemailer 10 drops the connection when the signal aborts (the sender's deadline).
        ...(signal ? { signal } : {}),
      };
      await transporter.sendMail(message);
    },
    close: () => transporter.close(),
  };
}

/**
 * An SMTP failure as it may be stored and shown: the server's reply or the network error, and
 * never the credentials (nodemailer does not put them in its messages, and a server echoing them
 * back is cut out too), bounded in length.
 */
export function describeSendError(error: unknown, credentials: SmtpCredentials | null): string {
  const failure = error as { message?: unknown; code?: unknown; responseCode?: unknown };
  let text = typeof failure.message === 'string' && failure.message.length > 0 ? failure.message : String(error);
  if (typeof failure.code === 'string' && !text.includes(failure.code)) text = `${failure.code}: ${text}`;
  const password = credentials?.password;
  if (password) {
    for (const secret of [password, Buffer.from(password).toString('base64'), Buffer.from(`\u0000${credentials.settings.user ?? ''}\u0000${password}`).toString('base64')]) {
      text = text.split(secret).join('[redacted]');
    }
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, defaults.email.maxErrorChars);
}
