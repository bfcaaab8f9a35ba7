import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { waitFor } from './wait-for';

/**
 * The admin URL of the PostgreSQL server tests run against. The test runner sets
 * TEST_DATABASE_URL (an embedded cluster by default, the machine's server in CI's
 * integration pass); running a compiled spec by hand falls back to the local server.
 */
export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrlFor(name: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates a fresh, uniquely named database and returns its URL; drop it with dropTestDatabase. */
export async function createTestDatabase(prefix: string): Promise<{ name: string; url: string }> {
  const name = `t_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return { name, url: databaseUrlFor(name) };
}

/**
 * Drops a test database. `pool.end()` resolves while its connections are still closing, and
 * DROP ... WITH (FORCE) would terminate them, making the dying clients raise unhandled 'error'
 * events; so wait (briefly) for the sessions to go first, and force only stragglers.
 */
export async function dropTestDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const { rows } = await admin.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        return rows[0].n === 0;
      },
      { timeoutMs: 5000, message: `sessions on ${name} to close` },
    ).catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
