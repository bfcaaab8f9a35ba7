import { resolve, join } from 'node:path';
import { EmbeddedPostgresCluster } from './embedded-postgres';

export interface ResolvedDatabase {
  url: string;
  /** Set when the database is an embedded cluster this process started (or reused). */
  embedded?: EmbeddedPostgresCluster;
  /** A description safe to print (no password). */
  description: string;
}

/**
 * With DATABASE_URL the service uses that server. Without it, the service runs its own
 * embedded PostgreSQL cluster under `<dataDir>/<service>/pg` holding database `raqeem_<service>`,
 * so `npm start` needs nothing installed and each service can be stopped and restarted alone.
 */
export async function resolveDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  service: string;
  log?: (line: string) => void;
}): Promise<ResolvedDatabase> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, description: redactUrl(options.databaseUrl) };
  }
  const dataDir = resolve(join(options.dataDir, options.service, 'pg'));
  const cluster = new EmbeddedPostgresCluster({ dataDir, log: options.log });
  await cluster.start();
  const database = `raqeem_${options.service}`;
  await cluster.ensureDatabase(database);
  const url = cluster.url(database);
  // The real place: a relocated cluster (see relocated-cluster.ts) is named with the reason.
  const place = cluster.relocated
    ? `${cluster.dataDir} (the postgres user cannot reach ${dataDir}; deleting that folder resets it)`
    : cluster.dataDir;
  return {
    url,
    embedded: cluster,
    description: `embedded PostgreSQL at ${place} (${redactUrl(url)})`,
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
