import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { TEST_ADMIN_PASSWORD } from '../../test/support/services';
import { COMPILED_ROOT } from '../../test/support/repo-root';
import {
  chromiumPids,
  gzippedScripts,
  launchChromium,
  median,
  requestsServed,
  timeToLoaded,
} from '../lib/browser';
import type { BenchContext } from '../lib/context';
import { benchDeviceId, DEVICES, loadDashboardData } from '../lib/dashboard-data';
import { ProcessWatch, round } from '../lib/proc';
import type { Measurement, ScenarioResult } from '../lib/result';

const IDLE_SECONDS = 30;
const TARGET_MS = 1000;
const DAY_MS = 86_400_000;

/**
 * The web dashboard in headless Chromium on the dashboard data set (1,000 devices, 10 M metric
 * rows; 1 M with --quick): time until the device list and a device page with 24 h charts show
 * their data, the gzipped size of the built scripts, and the requests an open tab at rest makes
 * to the Mentor (none but its event stream is the aim). Needs the built dashboard.
 */
export async function dashboardUiScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const dashboardDir = join(COMPILED_ROOT, 'dashboard');
  if (!existsSync(join(dashboardDir, 'index.html'))) {
    throw new Error(
      `dashboard-ui: ${join(dashboardDir, 'index.html')} is missing; the dashboard is not built ` +
        '(npm run build builds it into the build folder)',
    );
  }
  const scripts = gzippedScripts(join(dashboardDir, 'assets'));
  const perDevice = ctx.options.quick ? 1000 : 10_000;
  const runs = ctx.options.quick ? 3 : 5;
  const url = await ctx.db.create('bench_dashboard_ui');
  let mentor = await ctx.startMentor(url);
  const pool = ctx.pool(url, 'mentor');
  let browser: Browser | undefined;
  try {
    const loadStarted = Date.now();
    await loadDashboardData(pool, perDevice);
    const loadS = round((Date.now() - loadStarted) / 1000, 1);
    await mentor.stop();
    mentor = await ctx.startMentor(url);
    const base = mentor.url;
    browser = await launchChromium();
    const page = await (
      await browser.newContext({ viewport: { width: 1440, height: 900 } })
    ).newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location().url;
      consoleErrors.push(where ? `${message.text()} (${where})` : message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await signIn(page, base);

    const watched = (): ProcessWatch =>
      new ProcessWatch({
        mentor: () => [mentor.pid!],
        postgres: ctx.postgresPids,
        chromium: chromiumPids,
      });
    const watch = watched();
    watch.start();
    const listMs: number[] = [];
    for (let i = 0; i < runs; i++)
      listMs.push(await timeToLoaded(page, `${base}/devices`, 'devices'));
    const deviceMs: number[] = [];
    const ranges: number[] = [];
    page.on('request', (request) => {
      const seen = new URL(request.url());
      if (!/^\/devices\/[^/]+\/metrics$/.test(seen.pathname)) return;
      const from = seen.searchParams.get('from');
      const to = seen.searchParams.get('to');
      // Without a range the API answers the last 24 h.
      ranges.push(from ? Date.parse(to ?? new Date().toISOString()) - Date.parse(from) : DAY_MS);
    });
    for (let i = 0; i < runs; i++) {
      const device = benchDeviceId(Math.floor(Math.random() * DEVICES));
      deviceMs.push(await timeToLoaded(page, `${base}/devices/${device}?range=24h`, 'device'));
    }
    const loads = watch.stop();

    const idle = await idleRequests(page, base, watched());
    const listMedian = median(listMs);
    const deviceMedian = median(deviceMs);
    const widest = Math.max(0, ...ranges);
    const gzipTotal = scripts.reduce((sum, s) => sum + s.gzip, 0);
    const measurements: Measurement[] = [
      {
        label: `device list (${DEVICES} devices) until its data shows, ${runs} loads`,
        processes: loads,
        extra: { medianMs: listMedian, maxMs: Math.max(...listMs), runs: listMs.join(' ') },
      },
      {
        label: `device page with 24 h charts until its data shows, ${runs} loads`,
        processes: loads,
        extra: {
          medianMs: deviceMedian,
          maxMs: Math.max(...deviceMs),
          runs: deviceMs.join(' '),
          widestMetricsRangeH: round(widest / 3_600_000, 1),
        },
      },
      {
        label: `open tab at rest for ${IDLE_SECONDS} s`,
        processes: idle.processes,
        extra: {
          mentorRequests: idle.mentor,
          browserRequests: idle.browser,
          eventStreamOpened: String(idle.streamOpened),
        },
      },
      {
        label: 'built scripts, gzipped',
        processes: {},
        extra: {
          totalKb: round(gzipTotal / 1024, 1),
          ...Object.fromEntries(scripts.map((s) => [s.file, round(s.gzip / 1024, 1)])),
        },
      },
    ];
    return {
      scenario: 'dashboard-ui',
      description: `the web dashboard in headless Chromium, ${DEVICES} devices, ${(perDevice * DEVICES).toLocaleString('en')} metric rows`,
      measurements,
      targets: [
        {
          what: 'device list shows its data (median)',
          target: `<= ${TARGET_MS} ms`,
          value: `${listMedian} ms`,
          met: listMedian <= TARGET_MS,
        },
        {
          what: 'device page with 24 h charts shows its data (median)',
          target: `<= ${TARGET_MS} ms, charts over 24 h`,
          value: `${deviceMedian} ms, widest range ${round(widest / 3_600_000, 1)} h`,
          met: deviceMedian <= TARGET_MS && widest >= DAY_MS - 60_000,
        },
        {
          what: `Mentor requests of an idle tab in ${IDLE_SECONDS} s, besides its event stream`,
          target: '0',
          value: `${idle.mentor} (browser saw ${idle.browser}; event stream ${idle.streamOpened ? 'open' : 'never opened'})`,
          met: idle.mentor === 0 && idle.browser === 0 && idle.streamOpened,
        },
        {
          what: 'browser console errors',
          target: '0',
          value: String(consoleErrors.length),
          met: consoleErrors.length === 0,
        },
      ],
      notes: [
        `data set loaded with SQL in ${loadS} s`,
        `gzipped scripts: ${scripts.map((s) => `${s.file} ${s.gzip} B`).join(', ')}`,
        ...consoleErrors.slice(0, 5).map((text) => `console error: ${text}`),
      ],
    };
  } finally {
    await browser?.close();
    await pool.end();
    await mentor.stop();
    await delay(200);
    await ctx.db.drop('bench_dashboard_ui');
  }
}

/** Signs in through the form (inputs `username` and `password`, a submit button). */
async function signIn(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.waitForSelector('[data-page="login"]', { timeout: 30_000 });
  await page.fill('input[name="username"]', 'admin');
  await page.fill('input[name="password"]', TEST_ADMIN_PASSWORD);
  await page.click('[data-page="login"] [type="submit"]');
  await page.waitForSelector('[data-page]:not([data-page="login"])[data-loaded="true"]', {
    timeout: 30_000,
  });
}

/**
 * Requests an open device list makes while nobody touches it: counted by the Mentor (its
 * request counter) and by the browser, leaving out the event stream, which stays open.
 */
async function idleRequests(
  page: Page,
  base: string,
  watch: ProcessWatch,
): Promise<{
  mentor: number;
  browser: number;
  streamOpened: boolean;
  processes: Measurement['processes'];
}> {
  const stream = page
    .waitForRequest((request) => new URL(request.url()).pathname === '/events', {
      timeout: 15_000,
    })
    .then(
      () => true,
      () => false,
    );
  await timeToLoaded(page, `${base}/devices`, 'devices');
  const streamOpened = await stream;
  // What the page fetches as its stream opens (catching up) is not the tab at rest.
  await delay(2000);
  let browser = 0;
  const count = (request: { url(): string }): void => {
    const seen = new URL(request.url());
    if (seen.origin === base && seen.pathname !== '/events') browser += 1;
  };
  page.on('request', count);
  const before = await requestsServed(base);
  watch.start();
  await delay(IDLE_SECONDS * 1000);
  const processes = watch.stop();
  const mentor = (await requestsServed(base)) - before;
  page.off('request', count);
  return { mentor, browser, streamOpened, processes };
}
