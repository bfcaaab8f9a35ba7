import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadOrCreateDevSecrets } from '../config/dev-secrets';
import { resolveDatabase, type ResolvedDatabase } from './resolve-database';

/** Tests of what only a root run does (skipped, and counted as skipped, otherwise). */
const itAsRoot = process.getuid?.() === 0 ? it : it.skip;

describe('resolveDatabase with a fresh DATA_DIR', () => {
  let root: string;
  const opened: ResolvedDatabase[] = [];

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'raqeem-resolve-db-'));
    // A checkout others can reach, as /work or /home/<user> usually is (mkdtemp makes 0700).
    fs.chmodSync(root, 0o755);
  });

  afterAll(async () => {
    for (const db of opened) await db.embedded?.stop().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('keeps secrets.json private by its own mode and the cluster under DATA_DIR beside it', async () => {
    const dataDir = path.join(root, '.data');
    const { path: secretsPath } = loadOrCreateDevSecrets(dataDir);
    assert.equal(fs.statSync(secretsPath).mode & 0o777, 0o600);
    assert.equal(fs.statSync(dataDir).mode & 0o055, 0o055, 'the folder stays reachable');

    const db = await resolveDatabase({ dataDir, service: 'devices', log: () => undefined });
    opened.push(db);
    const expected = path.join(dataDir, 'devices', 'pg');
    assert.equal(db.embedded?.dataDir, expected);
    assert.ok(fs.existsSync(path.join(expected, 'PG_VERSION')));
    assert.ok(db.description.startsWith(`embedded PostgreSQL at ${expected} (postgres://`));
  });

  itAsRoot(
    'names the real place of a cluster moved out of a folder the postgres user cannot reach',
    async () => {
      const closed = path.join(root, 'closed');
      fs.mkdirSync(closed, { mode: 0o700 });
      fs.chmodSync(closed, 0o700);
      const db = await resolveDatabase({
        dataDir: path.join(closed, '.data'),
        service: 'mentor',
        log: () => undefined,
      });
      opened.push(db);
      const real = db.embedded!.dataDir;
      try {
        assert.ok(real.startsWith('/var/tmp/raqeem-data/'));
        assert.ok(db.description.startsWith(`embedded PostgreSQL at ${real} (`), db.description);
        assert.ok(db.description.includes(path.join(closed, '.data', 'mentor', 'pg')));
      } finally {
        await db.embedded?.stop();
        fs.rmSync(path.dirname(real), { recursive: true, force: true });
      }
    },
  );
});
