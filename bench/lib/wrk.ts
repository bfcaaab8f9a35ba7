import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LoadResult } from './load';
import { round } from './proc';

export const WRK_BINARY = '/usr/bin/wrk';

/** Whether wrk (Debian package `wrk`) is installed. */
export function haveWrk(): boolean {
  return existsSync(WRK_BINARY);
}

export interface WrkTarget {
  path: string;
  headers: Record<string, string>;
}

export interface WrkOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Request targets, taken in turn: one per enrolled device. */
  targets: WrkTarget[];
  /** Metric samples per request: 1 sends a single object, more an array. */
  records: number;
  /** Told the wrk process id once it runs, for CPU and memory readings. */
  onStart?: (pid: number) => void;
}

/**
 * Drives the metrics endpoint with wrk, a C load generator: about a fifth of autocannon's CPU
 * per request here, which on a 2-core box is CPU the server under test gets back. Every request
 * carries fresh metric samples with new random v4 ids, built by the Lua script (the same
 * fields as metricSample()), so each 2xx is a new stored record. One wrk thread: a second one
 * only competes with the server for the two cores.
 */
export async function wrk(options: WrkOptions): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'raqeem-wrk-'));
  const script = path.join(dir, 'metrics.lua');
  writeFileSync(script, luaScript(options.targets, options.records));
  try {
    const output = await run(
      [
        '-t1',
        `-c${options.connections}`,
        `-d${options.durationS}s`,
        '--timeout',
        '10s',
        '-s',
        script,
        options.url,
      ],
      options.onStart,
    );
    const line = output
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('{"wrk":'));
    if (!line) throw new Error(`wrk printed no result:\n${output}`);
    const r = JSON.parse(line) as {
      requests: number;
      durationUs: number;
      status: number;
      connect: number;
      read: number;
      write: number;
      timeout: number;
      p50: number;
      p99: number;
      cpuS: number;
    };
    const ok = r.requests - r.status;
    return {
      requests: ok,
      rps: round(ok / (r.durationUs / 1e6)),
      p50Ms: round(r.p50 / 1000, 2),
      p99Ms: round(r.p99 / 1000, 2),
      failures: r.status + r.connect + r.read + r.write + r.timeout,
      durationS: options.durationS,
      generatorCpuPercent: round((r.cpuS / (r.durationUs / 1e6)) * 100, 1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(args: string[], onStart?: (pid: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(WRK_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('spawn', () => onStart?.(child.pid!));
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`wrk exited ${code}:\n${output}`)),
    );
  });
}

function luaString(value: string): string {
  // Paths and tokens are printable ASCII; refuse anything a Lua literal would need escapes for.
  if (!/^[\x20-\x7e]*$/.test(value) || /["\\]/.test(value)) {
    throw new Error(`not a plain ASCII value: ${value}`);
  }
  return `"${value}"`;
}

/** The Lua script: turn-taking targets, fresh samples per request, a JSON summary at the end. */
function luaScript(targets: WrkTarget[], records: number): string {
  const list = targets
    .map(
      (t) =>
        `{ path = ${luaString(t.path)}, headers = { ${Object.entries({
          'Content-Type': 'application/json',
          ...t.headers,
        })
          .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
          .join(', ')} } }`,
    )
    .join(',\n  ');
  return `
local targets = {
  ${list}
}
local records = ${records}
local turn = 0
local random = math.random
local format = string.format
math.randomseed(os.time())

local function uuid()
  return format('%08x-%04x-4%03x-%04x-%04x%08x', random(0, 0x7fffffff), random(0, 0xffff),
    random(0, 0xfff), random(0x8000, 0xbfff), random(0, 0xffff), random(0, 0x7fffffff))
end

local function sample()
  return format('{"id":"%s","cpu_usage":%.1f,"cpu_temp":55.5,"memory_total":17179869184,' ..
    '"memory_used":%d,"swap_used":0,"disk_total":512110190592,"disk_used":210000000000,' ..
    '"net_bytes_in":%d,"net_bytes_out":%d}',
    uuid(), random(0, 1000) / 10, 8589934592 + random(0, 999999999), random(0, 999999),
    random(0, 999999))
end

request = function()
  turn = turn + 1
  local target = targets[(turn % #targets) + 1]
  local body
  if records == 1 then
    body = sample()
  else
    local parts = {}
    for i = 1, records do parts[i] = sample() end
    body = '[' .. table.concat(parts, ',') .. ']'
  end
  return wrk.format('POST', target.path, target.headers, body)
end

-- os.clock() is the CPU time of the whole wrk process (all its threads), read as it ends.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(format('{"wrk":1,"requests":%d,"durationUs":%d,"status":%d,"connect":%d,' ..
    '"read":%d,"write":%d,"timeout":%d,"p50":%d,"p99":%d,"cpuS":%.3f}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), os.clock()))
end
`;
}
