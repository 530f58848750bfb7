import type pg from 'pg';
import type { Logger } from 'pino';
import { openPostgresConnection } from './connect.js';

export interface ChangeListener {
  /** Ends the connection and any retry, so that nothing keeps the process alive. */
  stop(): Promise<void>;
}

/**
 * Listens for PostgreSQL notices on a connection of its own and calls the channel's handler for
 * each, so that every instance hears at once of a change another one committed. A lost
 * connection is opened again, waiting longer after each failure, and reported once per outage;
 * notices sent meanwhile are lost, so once it is back every handler runs as if one had come.
 * The periodic checks stay the safety net in between.
 */
export async function startChangeListener(deps: {
  url: string;
  channels: Record<string, () => void>;
  logger: Logger;
  retryMilliseconds: number;
  retryMaxMilliseconds: number;
}): Promise<ChangeListener> {
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;
  let delay = deps.retryMilliseconds;
  let stopped = false;
  let failing = false;

  async function connect(): Promise<void> {
    const next = openPostgresConnection(deps.url);
    // Unheard, an error on an idle client would end the process; 'end' follows it and retries.
    next.on('error', () => {});
    next.on('notification', (notice) => deps.channels[notice.channel]?.());
    try {
      await next.connect();
      for (const channel of Object.keys(deps.channels)) await next.query(`LISTEN ${next.escapeIdentifier(channel)}`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    next.on('end', () => {
      if (client !== next) return;
      client = undefined;
      lost(new Error('the connection listening for changes ended'));
    });
    delay = deps.retryMilliseconds;
    if (failing) {
      deps.logger.info('listening for changes from other instances works again');
      failing = false;
      for (const handler of Object.values(deps.channels)) handler();
    }
  }

  function lost(error: unknown): void {
    if (stopped) return;
    if (!failing) deps.logger.warn({ err: error }, 'listening for changes from other instances failed; trying again, and following the periodic checks meanwhile');
    failing = true;
    retry = setTimeout(attempt, delay);
    retry.unref();
    delay = Math.min(delay * 2, deps.retryMaxMilliseconds);
  }

  function attempt(): void {
    retry = undefined;
    connecting = connect().catch(lost).finally(() => {
      connecting = undefined;
    });
  }

  attempt();
  await connecting;
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await connecting;
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
