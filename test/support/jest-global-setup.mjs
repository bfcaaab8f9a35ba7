/**
 * Jest's globalSetup: one embedded PostgreSQL cluster for the whole run, unless
 * TEST_DATABASE_URL names a server already. Test files make their own databases on it
 * (test/support/pg.ts). Plain JavaScript loading the compiled cluster code from the build:
 * Jest loads this file with Node's own loader, outside its TypeScript transform.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const COMPILED = path.join(
  ROOT,
  'dist',
  'libs',
  'platform',
  'src',
  'database',
  'embedded-postgres.js',
);

export default async function globalSetup() {
  // A server named by the caller (CI's pass against the machine's PostgreSQL): use it.
  if (process.env.TEST_DATABASE_URL) return;
  if (!fs.existsSync(COMPILED)) {
    throw new Error(`${COMPILED} is missing: run \`npm run build\` first (\`npm test\` does)`);
  }
  const { EmbeddedPostgresCluster } = createRequire(import.meta.url)(COMPILED);
  const state = { quiet: false };
  const cluster = new EmbeddedPostgresCluster({
    dataDir: path.join(ROOT, '.data', 'test-pg'),
    log: (line) => {
      if (!state.quiet) console.error(`[test-pg] ${line}`);
    },
  });
  try {
    await cluster.start();
  } catch (error) {
    throw new Error(`could not start the embedded PostgreSQL: ${error.message}`, { cause: error });
  }
  const url = cluster.url('postgres');
  // Jest starts its workers after this, with this process's environment.
  process.env.TEST_DATABASE_URL = url;
  console.error(`[test-pg] embedded PostgreSQL at ${url}`);

  // Interrupted (Ctrl-C, a CI timeout): stop the cluster instead of leaving it to the next run.
  const interrupted = (signal) => {
    console.error(`\n${signal}: stopping the embedded PostgreSQL`);
    state.quiet = true;
    void cluster.stop().finally(() => process.exit(1));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  globalThis.__testPostgres = { cluster, url, state, interrupted };
}
