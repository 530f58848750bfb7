import autocannon from 'autocannon';

/** One round against one server. */
export interface RoundResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Answers other than 2xx, and connection errors: a round with any is reported, never silently counted. */
  failures: number;
}

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Single requests, repeated by autocannon over `connections` keep-alive connections. */
export async function hammer(request: HttpRequest, connections: number, seconds: number): Promise<RoundResult> {
  const result = await autocannon({ ...request, connections, duration: seconds });
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: ok,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Multi-step work (a whole sign-in, a refresh token chain) at fixed concurrency: `concurrency`
 * loops each run `iteration` back to back for `seconds`; latency is that of a whole iteration.
 */
export async function drive(iteration: (loop: number) => Promise<void>, concurrency: number, seconds: number): Promise<RoundResult> {
  const latencies: number[] = [];
  let failures = 0;
  let firstError: unknown;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (performance.now() < deadline) {
        const begun = performance.now();
        try {
          await iteration(loop);
          latencies.push(performance.now() - begun);
        } catch (error) {
          failures += 1;
          firstError ??= error;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  if (firstError) console.error(`  ${failures} failed iterations, the first: ${(firstError as Error).message}`);
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), requests: latencies.length, failures };
}
