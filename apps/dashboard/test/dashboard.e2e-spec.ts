import { request } from '@app/testing/http-client';
import { TEST_ADMIN_PASSWORD } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  launchChromium,
  loaded,
  openPage,
  saveScreenshot,
  signIn,
  type ConsoleEntry,
} from './support/browser';

const DEVICE = 'dash-laptop-1';
const VIEWER = 'viewer.dana';
const VIEWER_PASSWORD = 'viewer-password-0123';

/**
 * The dashboard in real Chromium against the real services: an agent's records reach the open
 * page through the Mentor's event stream, with no reload.
 */
describe('web dashboard', () => {
  let stack: Stack;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: ConsoleEntry[];
  /** Console errors allowed in this window: the Mentor stopped on purpose. */
  const outage = { from: Infinity, to: -Infinity };

  const postMetric = async (cpu: number): Promise<void> => {
    const response = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
      headers: stack.asDevice(DEVICE),
      body: {
        cpu_usage: cpu,
        memory_total: 16 * 1024 ** 3,
        memory_used: 6 * 1024 ** 3,
        disk_total: 512 * 1024 ** 3,
        disk_used: 200 * 1024 ** 3,
        net_bytes_in: 1_200_000,
        net_bytes_out: 300_000,
      },
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
  };

  /** The last hour as an agent back from a trip would send it: one batch, a sample a minute. */
  const postHistory = async (): Promise<void> => {
    const now = Date.now();
    const samples = Array.from({ length: 60 }, (_, i) => ({
      timestamp: new Date(now - (60 - i) * 60_000).toISOString(),
      cpu_usage: 30 + 25 * Math.sin(i / 6) + (i % 7),
      memory_total: 16 * 1024 ** 3,
      memory_used: Math.round((5 + 2 * Math.sin(i / 10)) * 1024 ** 3),
      disk_total: 512 * 1024 ** 3,
      disk_used: Math.round((190 + i / 10) * 1024 ** 3),
      net_bytes_in: 30_000_000 + 20_000_000 * Math.round(Math.abs(Math.sin(i / 4)) * 10),
      net_bytes_out: 6_000_000 + 1_000_000 * (i % 5),
    }));
    const response = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
      headers: stack.asDevice(DEVICE),
      body: samples,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
  };

  const cpuPoints = async (): Promise<number> =>
    Number(await page.locator('[data-chart="CPU"]').getAttribute('data-points'));

  beforeAll(async () => {
    stack = await Stack.start('dashboard');
    await stack.setUp(async () => {
      // The Mentor serves the built dashboard at / (dist/dashboard).
      base = stack.mentor!.url;
      browser = await launchChromium();
      ({ context, page, errors } = await openPage(browser));
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  afterEach(() => {
    // Each test answers for its own errors.
    const seen = errors.splice(0);
    const unexpected = seen.filter((e) => e.at < outage.from || e.at > outage.to);
    assert.deepEqual(unexpected, [], 'the browser console shows errors');
  });

  it('signs in and comes back to the page that was asked for', async () => {
    await page.goto(`${base}/devices?status=online`);
    await page.locator('[data-page="login"]').waitFor();
    assert.match(page.url(), /\/login\?next=%2Fdevices%3Fstatus%3Donline$/);
    await saveScreenshot(page, 'login');
    await signIn(page, 'admin', TEST_ADMIN_PASSWORD);
    await loaded(page, 'devices');
    assert.equal(new URL(page.url()).search, '?status=online');
  });

  it('shows a device the moment its agent enrols, without a reload', async () => {
    await page.goto(`${base}/devices`);
    await loaded(page, 'devices');
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1));
    await stack.registerDevice(DEVICE, { device_name: 'Lab laptop', os: 'Debian 12' });
    await postHistory();
    await postMetric(37.5);
    const row = page.locator(`tr[data-device="${DEVICE}"]`);
    await row.waitFor({ timeout: 20_000 });
    await row.locator('[data-online="true"]').waitFor();
    await waitFor(async () => (await row.locator('[data-cpu]').textContent()) === '37.5 %', {
      message: 'the row to show the posted CPU',
    });
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
      1,
    );
    await saveScreenshot(page, 'devices');
  });

  it('extends the chart with a new sample and shows a new alert, without a reload', async () => {
    await page.click(`tr[data-device="${DEVICE}"] a`);
    await loaded(page, 'device');
    // A day: nothing the test posts leaves the range while it runs.
    await page.getByRole('button', { name: '24h', exact: true }).click();
    assert.match(page.url(), /range=24h/);
    await page.locator('[data-charts-loaded="true"]').waitFor();
    await page.locator('[data-panel="alerts"][data-loaded="true"]').waitFor();
    const before = await cpuPoints();
    await postMetric(64);
    await waitFor(async () => (await cpuPoints()) > before, {
      timeoutMs: 20_000,
      message: 'the CPU chart to gain a point',
    });
    const alerts = await request('POST', `${stack.api}/devices/${DEVICE}/alerts`, {
      headers: stack.asDevice(DEVICE),
      body: [
        {
          level: 'critical',
          alert_type: 'disk_full',
          message: 'Disk almost full',
          value: 97,
          threshold: 90,
        },
      ],
    });
    assert.equal(alerts.status, 201, JSON.stringify(alerts.body));
    await page
      .locator('[data-alert]', { hasText: 'Disk almost full' })
      .waitFor({ timeout: 20_000 });
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
      1,
    );
  });

  it('acknowledges the alert and shows who did it', async () => {
    const alert = page.locator('[data-alert]', { hasText: 'Disk almost full' });
    await alert.getByRole('button', { name: 'Acknowledge' }).click();
    await alert.locator('[data-acknowledged-by="admin"]').waitFor();
    assert.equal(await alert.getAttribute('data-state'), 'acknowledged');
    await page.getByRole('button', { name: '1h', exact: true }).click();
    await page.locator('[data-charts-loaded="true"]').waitFor();
    await saveScreenshot(page, 'device');
    // The same page as the OS's dark theme shows it.
    await page.emulateMedia({ colorScheme: 'dark' });
    await saveScreenshot(page, 'device-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('sends a command and shows its result once the device answers', async () => {
    await page.getByRole('tab', { name: 'Commands' }).click();
    await page.locator('[data-panel="commands"][data-loaded="true"]').waitFor();
    // The console offers what this Mentor's COMMAND_ALLOWLIST accepts (GET /commands/allowed).
    const allowed = await request<{ commands: string[] }>(
      'GET',
      `${stack.mentor!.url}/commands/allowed`,
      { headers: await stack.asAdmin() },
    );
    await page.locator('#allowed-commands option').first().waitFor({ state: 'attached' });
    const offered = await page
      .locator('#allowed-commands option')
      .evaluateAll((options) => options.map((option) => option.getAttribute('value')));
    assert.deepEqual(offered, allowed.body.commands);
    await page.fill('input[name="command"]', 'get_info');
    await page.getByRole('button', { name: 'Send' }).click();
    const row = page.locator('[data-command]', { hasText: 'get_info' });
    await row.waitFor();
    // The agent's side: the command reaches Devices through the Mentor's outbox.
    const pending = await waitFor(
      async () => {
        const answer = await request<{ commandid: string; command_text: string }[]>(
          'GET',
          `${stack.api}/devices/${DEVICE}/commands/pending`,
          { headers: stack.asDevice(DEVICE) },
        );
        return answer.status === 200 && answer.body.length > 0 ? answer.body : undefined;
      },
      { timeoutMs: 20_000, message: 'the command to reach the device' },
    );
    assert.equal(pending[0].command_text, 'get_info');
    await row.locator('.badge.delivered').waitFor({ timeout: 20_000 });
    const result = await request(
      'POST',
      `${stack.api}/devices/${DEVICE}/commands/${pending[0].commandid}/result`,
      {
        headers: stack.asDevice(DEVICE),
        body: { status: 'completed', result: 'hostname: lab-laptop\nuptime: 3 days', exit_code: 0 },
      },
    );
    assert.ok(result.status >= 200 && result.status < 300, JSON.stringify(result.body));
    await page
      .locator(`[data-command="${pending[0].commandid}"][data-status="completed"]`)
      .waitFor({
        timeout: 20_000,
      });
    await row.locator('.command-result', { hasText: 'hostname: lab-laptop' }).waitFor();
    await row.locator('[data-exit-code="0"]').waitFor();
  });

  it('shows the forwarding and users pages to an admin', async () => {
    await page.getByRole('link', { name: 'Forwarding' }).click();
    await loaded(page, 'forwarding');
    await saveScreenshot(page, 'forwarding');
    await page.getByRole('link', { name: 'Users' }).click();
    await loaded(page, 'users');
    await saveScreenshot(page, 'users');
    await page.getByRole('link', { name: 'Overview' }).click();
    await loaded(page, 'overview');
    await saveScreenshot(page, 'overview');
  });

  it('shows a viewer no admin action', async () => {
    const created = await request('POST', `${stack.mentor!.url}/users`, {
      headers: await stack.asAdmin(),
      body: { username: VIEWER, password: VIEWER_PASSWORD, role: 'viewer' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const viewer = await openPage(browser);
    try {
      await viewer.page.goto(`${base}/devices/${DEVICE}?tab=alerts`);
      await signIn(viewer.page, VIEWER, VIEWER_PASSWORD);
      await loaded(viewer.page, 'device');
      await viewer.page.locator('[data-panel="alerts"][data-loaded="true"]').waitFor();
      await viewer.page.locator('[data-alert]', { hasText: 'Disk almost full' }).waitFor();
      assert.equal(
        await viewer.page.getByRole('button', { name: /Acknowledge|Resolve/ }).count(),
        0,
      );
      assert.equal(await viewer.page.getByRole('link', { name: 'Users' }).count(), 0);
      await viewer.page.getByRole('tab', { name: 'Commands' }).click();
      await viewer.page.locator('[data-panel="commands"][data-loaded="true"]').waitFor();
      assert.equal(await viewer.page.locator('input[name="command"]').count(), 0);
      await viewer.page.getByRole('link', { name: 'Forwarding' }).click();
      await loaded(viewer.page, 'forwarding');
      assert.equal(await viewer.page.getByRole('button', { name: /Replay/ }).count(), 0);
      assert.deepEqual(viewer.errors, []);
    } finally {
      await viewer.context.close();
    }
  });

  it('goes live again after the Mentor restarts and catches up', async () => {
    await page.goto(`${base}/devices/${DEVICE}?range=24h&tab=alerts`);
    await loaded(page, 'device');
    await page.locator('[data-live-status="live"]').waitFor();
    await page.locator('[data-panel="alerts"][data-loaded="true"]').waitFor();
    outage.from = Date.now();
    await stack.mentor!.stop();
    await page.locator('[data-live-status="reconnecting"]').waitFor();
    // Stored while the page was cut off: it must appear once the stream is back.
    const stored = await request('POST', `${stack.api}/devices/${DEVICE}/alerts`, {
      headers: stack.asDevice(DEVICE),
      body: [{ level: 'warning', alert_type: 'fan', message: 'Fan speed low' }],
    });
    assert.equal(stored.status, 201, JSON.stringify(stored.body));
    await stack.mentor!.restart();
    await page.locator('[data-live-status="live"]').waitFor({ timeout: 60_000 });
    outage.to = Date.now();
    await page.locator('[data-alert]', { hasText: 'Fan speed low' }).waitFor({ timeout: 30_000 });
    // And the new stream carries what comes next.
    await page.locator('[data-charts-loaded="true"]').waitFor();
    const before = await cpuPoints();
    await postMetric(88);
    await waitFor(async () => (await cpuPoints()) > before, {
      timeoutMs: 20_000,
      message: 'the chart to grow with the restarted stream',
    });
    const network = errors.filter((e) => e.at >= outage.from && e.at <= outage.to);
    assert.ok(
      network.every((e) => /Failed to load resource|net::ERR_|EventSource/.test(e.text)),
      JSON.stringify(network),
    );
  });

  it('signs out and needs a new sign-in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('[data-page="login"]').waitFor();
    await page.goto(`${base}/devices`);
    await page.locator('[data-page="login"]').waitFor();
  });
});
