import { metricSample } from './context';
import { cannon, type LoadResult } from './load';
import { ProcessWatch, type ProcessSample } from './proc';
import { haveWrk, wrk, type WrkTarget } from './wrk';

export type LoadGenerator = 'wrk' | 'autocannon';

/**
 * The load generator of the ingest scenarios: BENCH_LOADGEN (`wrk` or `autocannon`), else wrk
 * when it is installed (`apt-get install wrk`), else autocannon.
 */
export function chooseGenerator(
  env: string | undefined = process.env.BENCH_LOADGEN,
): LoadGenerator {
  if (env === 'wrk' || env === 'autocannon') {
    if (env === 'wrk' && !haveWrk())
      throw new Error('BENCH_LOADGEN=wrk but /usr/bin/wrk is missing');
    return env;
  }
  if (env) throw new Error(`BENCH_LOADGEN must be wrk or autocannon, not ${env}`);
  return haveWrk() ? 'wrk' : 'autocannon';
}

/**
 * Metrics POSTs (fresh samples with new ids each time, `records` per request) to the given
 * targets in turn, with either generator.
 */
export class MetricsLoad {
  private pid = process.pid;

  constructor(
    readonly generator: LoadGenerator,
    private readonly records: number,
  ) {}

  /**
   * A warm-up, then a measured run with the readings of `watched` and of the generator itself
   * (as `loadgen`).
   */
  async measure(
    url: string,
    targets: WrkTarget[],
    connections: number,
    { warmupS, durationS }: { warmupS: number; durationS: number },
    watched: Record<string, () => number[]>,
  ): Promise<{ load: LoadResult; processes: Record<string, ProcessSample> }> {
    await this.run(url, targets, connections, warmupS);
    const watch = new ProcessWatch({ ...watched, loadgen: () => [this.pid] });
    watch.start();
    const load = await this.run(url, targets, connections, durationS);
    const processes = watch.stop();
    // wrk's own reading, taken as it exits so the whole run counts, in place of the sampled
    // one, which misses the last half second of a process that ends inside the window.
    if (load.generatorCpuPercent !== undefined) {
      processes.loadgen.cpuPercent = load.generatorCpuPercent;
    }
    return { load, processes };
  }

  private async run(
    url: string,
    targets: WrkTarget[],
    connections: number,
    durationS: number,
  ): Promise<LoadResult> {
    if (this.generator === 'wrk') {
      return wrk({
        url,
        targets,
        connections,
        durationS,
        records: this.records,
        onStart: (pid) => (this.pid = pid),
      });
    }
    let turn = 0;
    return cannon({
      url,
      connections,
      durationS,
      next: () => {
        const target = targets[(turn += 1) % targets.length];
        const body =
          this.records === 1
            ? metricSample()
            : Array.from({ length: this.records }, () => metricSample());
        return { path: target.path, headers: target.headers, body: JSON.stringify(body) };
      },
    });
  }
}
