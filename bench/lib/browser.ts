import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export { launchChromium } from '../../test/support/chromium';
import type { Page } from 'playwright-core';

/** This process's Chromium processes (the browser and its renderers, however deep). */
export function chromiumPids(): number[] {
  const children = new Map<number, number[]>();
  const argv0 = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      argv0.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0]);
    } catch {
      // the process went away while we looked
    }
  }
  const found: number[] = [];
  const queue = [...(children.get(process.pid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    // /usr/bin/chromium is a launcher script that runs /usr/lib/chromium/chromium, whose
    // children rewrite their command line into one string (`… --type=renderer …`).
    if (/\/chromium( |$)/.test(argv0.get(pid) ?? '')) found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/**
 * Milliseconds from starting the navigation to `url` until the page named `name` says its
 * first data is rendered (the dashboard's contract: its root element carries
 * `data-page="<name>"` and gets `data-loaded="true"`).
 */
export async function timeToLoaded(page: Page, url: string, name: string): Promise<number> {
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector(`[data-page="${name}"][data-loaded="true"]`, { timeout: 30_000 });
  return Math.round(performance.now() - started);
}

/** Each script of the built dashboard with its gzipped size in bytes (as a server sends it). */
export function gzippedScripts(assetsDir: string): { file: string; bytes: number; gzip: number }[] {
  return readdirSync(assetsDir)
    .filter((file) => file.endsWith('.js'))
    .sort()
    .map((file) => {
      const content = readFileSync(join(assetsDir, file));
      return { file, bytes: content.length, gzip: gzipSync(content).length };
    });
}

/**
 * Requests a service has answered so far, from its `http_requests_total` counter, leaving out
 * the scrapes of `/metrics` that read it.
 */
export async function requestsServed(serviceUrl: string): Promise<number> {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_requests_total{') || line.includes('route="/metrics"')) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}
