/**
 * The test runner behind `npm test`: runs the compiled unit and e2e specs under dist/ with
 * node:test, one file at a time, against an embedded PostgreSQL unless TEST_DATABASE_URL is
 * given, and ends with the line `N passed, N failed[, N skipped]`.
 *
 *   node dist/scripts/run-tests.js [--unit] [--e2e] [--image] [path-substring...]
 *
 * --image runs only the container image's specs (*.image-spec.ts under test/), which need the image
 * built first (`npm run image:check` does both); they are never part of the default selection.
 */
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from 'node:test';
import { spec, type TestEvent } from 'node:test/reporters';
import { EmbeddedPostgresCluster } from '../libs/platform/src/database/embedded-postgres';

// Node 20 applies run()'s timeout to each file as a whole: --test-timeout does not reach the
// tests inside the child processes, and wrapping it() would break the reported locations. So this
// is a per-file guard against hangs; a test that needs a tighter bound passes { timeout } itself.
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS) || 5 * 60_000;
const DIST_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(DIST_DIR, '..');

class UsageError extends Error {}

interface Selection {
  unit: boolean;
  e2e: boolean;
  image: boolean;
  filters: string[];
}

function parseArgs(args: string[]): Selection {
  let unit = false;
  let e2e = false;
  let image = false;
  const filters: string[] = [];
  for (const arg of args) {
    if (arg === '--unit') unit = true;
    else if (arg === '--e2e') e2e = true;
    else if (arg === '--image') image = true;
    else if (arg.startsWith('--'))
      throw new UsageError(`unknown option ${arg} (use --unit, --e2e, --image)`);
    else filters.push(arg);
  }
  if (!unit && !e2e && !image) unit = e2e = true;
  return { unit, e2e, image, filters };
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(dir, entry))
    .filter((file) => !file.includes(`${path.sep}node_modules${path.sep}`));
}

function findSpecFiles(selection: Selection): string[] {
  // apps/<app>/test/*.e2e-spec.js, scripts/*.e2e-spec.js for the launchers, and test/**
  // (deployment: manifests, compose, Prometheus).
  const isE2e = (file: string): boolean =>
    file.endsWith('.e2e-spec.js') &&
    (path.relative(path.join(DIST_DIR, 'apps'), file).split(path.sep)[1] === 'test' ||
      path.dirname(file) === path.join(DIST_DIR, 'scripts') ||
      !path.relative(path.join(DIST_DIR, 'test'), file).startsWith('..'));
  const unit = selection.unit
    ? ['apps', 'libs', 'bench', 'test']
        .flatMap((dir) => listFiles(path.join(DIST_DIR, dir)))
        .filter((file) => file.endsWith('.spec.js'))
        .sort()
    : [];
  const e2e = selection.e2e
    ? ['apps', 'scripts', 'test']
        .flatMap((dir) => listFiles(path.join(DIST_DIR, dir)))
        .filter(isE2e)
        .sort()
    : [];
  const image = selection.image
    ? listFiles(path.join(DIST_DIR, 'test'))
        .filter((file) => file.endsWith('.image-spec.js'))
        .sort()
    : [];
  const matches = (file: string): boolean =>
    selection.filters.length === 0 ||
    selection.filters.some((filter) => path.relative(REPO_ROOT, file).includes(filter));
  return [...unit, ...e2e, ...image].filter(matches);
}

/**
 * Counts leaf tests from the event stream. Children report before their parent, so a test that
 * saw no finished child is a leaf; suites (details.type 'suite') and tests with subtests are
 * containers and only count when they fail without a failed leaf below (a failing hook, say).
 * A whole file that fails (crash, timeout, non-zero exit) reports as a test named after the file
 * and counts once unless one of its tests already failed. Files run one at a time, so one set of
 * per-level flags is enough; it is reset when the next file starts.
 */
class ResultCounter {
  passed = 0;
  failed = 0;
  skipped = 0;
  /** Per nesting level: the open test there has seen a finished child / a failed one. */
  private hadChild: boolean[] = [];
  private childFailed: boolean[] = [];
  private fileFailed = false;

  record(event: TestEvent): void {
    if (event.type === 'test:dequeue' && isFileLevel(event.data)) {
      this.hadChild = [];
      this.childFailed = [];
      this.fileFailed = false;
      return;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') return;
    const data = event.data;
    const failed = event.type === 'test:fail';
    if (isFileLevel(data)) {
      if (failed && !this.fileFailed) this.failed++;
      this.fileFailed ||= failed;
      return;
    }
    const level = data.nesting;
    const hadChild = this.hadChild[level] ?? false;
    const childFailed = this.childFailed[level] ?? false;
    this.hadChild[level] = false;
    this.childFailed[level] = false;

    let failedHere = childFailed;
    if (data.details.type !== 'suite' && !hadChild) {
      if (data.skip !== undefined || data.todo !== undefined) this.skipped++;
      else if (failed) this.failed++;
      else this.passed++;
      failedHere = failed && data.todo === undefined;
    } else if (failed && !childFailed) {
      this.failed++;
      failedHere = true;
    }
    this.fileFailed ||= failedHere;
    if (level > 0) {
      this.hadChild[level - 1] = true;
      if (failedHere) this.childFailed[level - 1] = true;
    }
  }

  summary(): string {
    const skipped = this.skipped ? `, ${this.skipped} skipped` : '';
    return `${this.passed} passed, ${this.failed} failed${skipped}`;
  }
}

/** run() wraps each file in a test named after the file's path. */
function isFileLevel(data: { nesting: number; name: string; file?: string }): boolean {
  return data.nesting === 0 && data.file !== undefined && data.name === data.file;
}

async function main(): Promise<number> {
  const selection = parseArgs(process.argv.slice(2));
  const files = findSpecFiles(selection);
  const counter = new ResultCounter();
  if (files.length === 0) {
    const which = selection.filters.length ? ` matching ${selection.filters.join(', ')}` : '';
    console.error(`no spec files${which} under ${DIST_DIR} (did the build run?)`);
    console.log(counter.summary());
    return 1;
  }

  let cluster: EmbeddedPostgresCluster | undefined;
  const stopCluster = async (): Promise<void> => {
    const running = cluster;
    cluster = undefined;
    await running?.stop().catch((err: Error) => console.error(`[test-pg] ${err.message}`));
  };
  const interrupted = (signal: NodeJS.Signals): void => {
    console.error(`\n${signal}: stopping`);
    void stopCluster().finally(() => {
      console.log(counter.summary());
      process.exit(1);
    });
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  if (!process.env.TEST_DATABASE_URL) {
    cluster = new EmbeddedPostgresCluster({
      dataDir: path.join(REPO_ROOT, '.data', 'test-pg'),
      log: (line) => console.error(`[test-pg] ${line}`),
    });
    try {
      await cluster.start();
    } catch (err) {
      console.error(`[test-pg] could not start the embedded PostgreSQL: ${(err as Error).message}`);
      cluster = undefined;
      console.log(counter.summary());
      return 1;
    }
    // run() spawns one node process per file with process.env, so the children see this.
    process.env.TEST_DATABASE_URL = cluster.url('postgres');
    console.error(`[test-pg] embedded PostgreSQL at ${process.env.TEST_DATABASE_URL}`);
  }

  let exitCode = 0;
  try {
    const reporter = new spec();
    reporter.pipe(process.stdout);
    const stream = run({
      files,
      concurrency: 1,
      timeout: FILE_TIMEOUT_MS,
      // A file whose tests are done but which leaks a handle (a server, a pool) must not hang.
      forceExit: true,
    });
    for await (const event of stream as AsyncIterable<TestEvent>) {
      counter.record(event);
      reporter.write(event);
    }
    reporter.end();
    await once(reporter, 'end');
  } catch (err) {
    console.error(`test runner failed: ${(err as Error).stack ?? String(err)}`);
    exitCode = 1;
  } finally {
    await stopCluster();
  }

  if (counter.failed > 0 || counter.passed + counter.failed === 0) exitCode = 1;
  console.log(counter.summary());
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err instanceof UsageError ? err.message : (err.stack ?? err.message));
    process.exit(1);
  },
);
