import autocannon from 'autocannon';
import { round } from './proc';

export interface LoadResult {
  requests: number;
  /** Answers with the expected status per second. */
  rps: number;
  p50Ms: number;
  p95Ms?: number;
  p99Ms: number;
  /** Answers with another status, plus transport errors and timeouts. */
  failures: number;
  durationS: number;
  /** A load generator running as its own process: its CPU over the run, in % of one core. */
  generatorCpuPercent?: number;
}

export interface CannonOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Requests per second over all connections (open loop); unset = as fast as answered. */
  overallRate?: number;
  /** Stop after this many requests instead of after durationS (durationS still bounds it). */
  amount?: number;
  /** Builds each request (path, headers, body): called once per request. */
  next: () => { path: string; headers: Record<string, string>; body: string };
}

/**
 * Drives an HTTP server with autocannon (an efficient Node HTTP load generator, so the load
 * it costs on this 2-core machine stays small), pipelining off, each request built fresh.
 */
export async function cannon(options: CannonOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    amount: options.amount,
    overallRate: options.overallRate,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const next = options.next();
          return {
            ...request,
            method: 'POST',
            path: next.path,
            headers: { 'content-type': 'application/json', ...next.headers },
            body: next.body,
          };
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    requests: ok,
    rps: round(ok / options.durationS),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    durationS: options.durationS,
  };
}

/** The q-quantile (0..1) of sorted values. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * A closed loop of `concurrency` workers calling `call` until `durationS` ends, timing each
 * call; used where p95 matters (autocannon reports p90 and p97.5 but not p95).
 */
export async function closedLoop(
  concurrency: number,
  durationS: number,
  call: () => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const end = Date.now() + durationS * 1000;
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      const started = performance.now();
      const ok = await call().catch(() => false);
      if (ok) latencies.push(performance.now() - started);
      else failures += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    rps: round(latencies.length / durationS),
    p50Ms: round(quantile(latencies, 0.5), 2),
    p95Ms: round(quantile(latencies, 0.95), 2),
    p99Ms: round(quantile(latencies, 0.99), 2),
    failures,
    durationS,
  };
}
