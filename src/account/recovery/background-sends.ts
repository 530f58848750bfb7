import type { FastifyReply } from 'fastify';

/**
 * The messages a route sends after its answer is out (forgot password: nothing in the answer's
 * timing may depend on who was named). Each is kept until it settles, so that shutdown waits for
 * it before the database closes, and so may anyone who needs its outcome (a test reading the
 * mailbox). The work runs in the request's async context: it still reads its language and branding.
 */
export function createBackgroundSends() {
  const running = new Set<Promise<void>>();
  return {
    /** Starts `work` once `reply` has been sent (or its connection dropped); `failed` hears of an error. */
    afterAnswer(reply: FastifyReply, work: () => Promise<void>, failed: (error: unknown) => void): void {
      const sent = new Promise<void>((resolve) => reply.raw.once('close', () => resolve()));
      const task: Promise<void> = sent.then(work).catch(failed).finally(() => running.delete(task));
      running.add(task);
    },
    /** Resolves once every send started so far, and any they started meanwhile, has settled. */
    async settled(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

export type BackgroundSends = ReturnType<typeof createBackgroundSends>;
