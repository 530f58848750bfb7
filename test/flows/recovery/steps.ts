import type { TestServer } from '../../helpers/start-server.js';
import type { MailServer, Received } from '../email/mail-server.js';

export const recipientOf = (message: Received) => (Array.isArray(message.mail.to) ? message.mail.to[0] : message.mail.to)?.value[0]?.address;

/**
 * Reads the mail server's messages in the test's order, whatever order they were sent in: each
 * `next` is the first message not read yet to that address with that subject, sent now instead
 * of at the sender's next round. A forgot-password message is queued after the answer: the
 * server's `settled()` waits for that first.
 */
export function mailbox(server: TestServer, mail: MailServer) {
  const read = new Set<number>();
  const find = (to: string, subject: RegExp) =>
    mail.received.findIndex((message, index) => !read.has(index) && recipientOf(message) === to && subject.test(message.mail.subject ?? ''));
  /** Everything queued so far, sent: the mail server has received it when this resolves. */
  const deliver = async () => {
    await server.settled();
    await server.services.email.sender!.sendDue();
  };
  return {
    deliver,
    async next(to: string, subject: RegExp): Promise<Received> {
      await deliver();
      const index = find(to, subject);
      if (index < 0) throw new Error(`no message "${subject.source}" to ${to}; received: ${mail.received.map((m) => `${recipientOf(m)}: ${m.mail.subject}`).join(', ')}`);
      read.add(index);
      return mail.received[index]!;
    },
    /** The newest message to that address with that subject, once everything queued is sent; the older ones count as read. */
    async latest(to: string, subject: RegExp): Promise<Received> {
      let newest = await this.next(to, subject);
      for (let index = find(to, subject); index >= 0; index = find(to, subject)) {
        read.add(index);
        newest = mail.received[index]!;
      }
      return newest;
    },
    /** Messages received and not read by `next`. */
    unread: () => mail.received.filter((_message, index) => !read.has(index)),
  };
}

/** The first link of a message's text part to `path` (e.g. /password/reset): the token is the last segment. */
export function linkIn(message: Received, path: string): string {
  const text = message.mail.text ?? '';
  const found = new RegExp(`https?://[^\\s]+${path}/[A-Za-z0-9_-]{43}`).exec(text);
  if (!found) throw new Error(`no ${path} link in:\n${text}`);
  return found[0];
}

export const cli = { kind: 'cli', command: 'test' } as const;
