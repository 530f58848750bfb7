import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message as the mail server received it: the parsed message and who logged in to send it. */
export interface Received {
  mail: ParsedMail;
  user: string | undefined;
}

/**
 * A real SMTP server in this process on 127.0.0.1 (smtp-server): no STARTTLS, authentication
 * optional (plain AUTH allowed, checked against the given user and password when one is
 * given), every message parsed with mailparser. It can be stopped and started again on the
 * same port, to play a mail server that is down for a while.
 */
export async function startMailServer({ user, password }: { user?: string; password?: string } = {}) {
  const received: Received[] = [];
  const waiting: Array<() => void> = [];
  const authentications: Array<{ username: string | undefined; password: string | undefined }> = [];
  let server: SMTPServer | undefined;
  let port = 0;

  const create = () => new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      authentications.push({ username: auth.username, password: auth.password ?? undefined });
      if (user !== undefined && (auth.username !== user || auth.password !== password)) return callback(new Error('Invalid username or password'));
      return callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        received.push({ mail, user: typeof session.user === 'string' ? session.user : undefined });
        for (const wake of waiting.splice(0)) wake();
        callback();
      }, (error: Error) => callback(error));
    },
  });

  async function listen(): Promise<void> {
    server = create();
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    port = (listening.server.address() as { port: number }).port;
  }
  await listen();

  return {
    get port() {
      return port;
    },
    received,
    authentications,
    /** The message number `index` (0 = the first ever received), once it has arrived. */
    async message(index: number): Promise<Received> {
      while (received.length <= index) await new Promise<void>((resolve) => waiting.push(resolve));
      return received[index]!;
    },
    /** Stops answering: connections to the port are refused. */
    async stop(): Promise<void> {
      const stopping = server;
      server = undefined;
      if (stopping) await new Promise<void>((resolve) => stopping.close(() => resolve()));
    },
    /** Answers again, on the same port. */
    start: listen,
  };
}

export type MailServer = Awaited<ReturnType<typeof startMailServer>>;
