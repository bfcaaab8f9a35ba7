/**
 * The baseline of the ingest scenarios: a bare node:http server that parses the JSON body and
 * does one INSERT per request (one row, or one multi-row INSERT of the whole array) on the same
 * database, with no framework, authentication, validation, outbox or logging. What Raqeem does
 * on top of this is what its ratio against this server measures.
 *
 * With --no-db it answers as soon as the body is parsed: the machine's HTTP floor, which no
 * server doing work per request can beat on it.
 *
 *   node dist/bench/baseline-server.js <port> <database-url> [--no-db]
 */
import { createServer } from 'node:http';
import { Pool } from 'pg';

const port = Number(process.argv[2]);
const pool = new Pool({ connectionString: process.argv[3], max: 20 });
const noDatabase = process.argv.includes('--no-db');

const COLUMNS = ['id', 'deviceid', 'ts', 'cpu_usage', 'memory_total', 'memory_used'];

async function setup(): Promise<void> {
  if (noDatabase) return;
  await pool.query(`CREATE TABLE IF NOT EXISTS baseline_metrics (
    id uuid PRIMARY KEY, deviceid text NOT NULL, ts timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(), cpu_usage double precision,
    memory_total bigint, memory_used bigint)`);
}

type Sample = Record<string, string | number>;

function insertMany(samples: Sample[]): Promise<unknown> {
  if (noDatabase) return Promise.resolve();
  const values: unknown[] = [];
  const tuples = samples.map((sample, i) => {
    values.push(...COLUMNS.map((c) => sample[c] ?? (c === 'ts' ? new Date().toISOString() : null)));
    return `(${COLUMNS.map((_, j) => `$${i * COLUMNS.length + j + 1}`).join(', ')})`;
  });
  return pool.query(
    `INSERT INTO baseline_metrics (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
    values,
  );
}

void setup().then(() => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Sample | Sample[];
      // The device is named by the path, /devices/<id>, as on the real endpoint.
      const deviceid = req.url?.split('/')[2] ?? 'baseline';
      const samples = (Array.isArray(parsed) ? parsed : [parsed]).map((s) => ({ deviceid, ...s }));
      insertMany(samples).then(
        () => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end('{"status":"ok"}');
        },
        (error: Error) => {
          res.writeHead(500);
          res.end(error.message);
        },
      );
    });
  });
  server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => {
    server.close();
    void pool.end().then(() => process.exit(0));
  });
});
