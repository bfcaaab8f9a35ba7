import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresCluster } from '../../libs/platform/src/database/embedded-postgres';

/** The PostgreSQL server a bench run uses: BENCH_DATABASE_URL, or an embedded cluster. */
export class BenchDatabase {
  private cluster?: EmbeddedPostgresCluster;
  private adminUrl = '';
  /** The postmaster's pid, when we can see it (for CPU and memory readings). */
  postmasterPid?: number;

  async start(repoRoot: string): Promise<void> {
    const given = process.env.BENCH_DATABASE_URL;
    if (given) {
      this.adminUrl = given;
    } else {
      this.cluster = new EmbeddedPostgresCluster({
        dataDir: path.join(repoRoot, '.data', 'bench-pg'),
        log: () => undefined,
      });
      await this.cluster.start();
      this.adminUrl = this.cluster.url('postgres');
    }
    const client = await this.connect(this.adminUrl);
    try {
      const { rows } = await client.query<{ setting: string }>(
        `SELECT setting FROM pg_settings WHERE name = 'data_directory'`,
      );
      const pidFile = path.join(rows[0].setting, 'postmaster.pid');
      if (existsSync(pidFile))
        this.postmasterPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    } catch {
      // not readable by us (a server of another user): no PostgreSQL readings
    } finally {
      await client.end();
    }
  }

  async version(): Promise<string> {
    const client = await this.connect(this.adminUrl);
    try {
      const { rows } = await client.query<{ v: string }>(
        "SELECT current_setting('server_version') AS v",
      );
      return rows[0].v;
    } finally {
      await client.end();
    }
  }

  /** Creates a fresh database and returns its URL. */
  async create(name: string): Promise<string> {
    const client = await this.connect(this.adminUrl);
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /**
   * Flushes the server's dirty pages now. A paired comparison starts each side right after one,
   * so no side runs into a checkpoint (and the burst of full-page images after it) by chance.
   */
  async checkpoint(): Promise<void> {
    const client = await this.connect(this.adminUrl);
    try {
      await client.query('CHECKPOINT');
    } finally {
      await client.end();
    }
  }

  async drop(name: string): Promise<void> {
    const client = await this.connect(this.adminUrl);
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    await this.cluster?.stop();
  }

  private async connect(url: string): Promise<Client> {
    const client = new Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }
}
