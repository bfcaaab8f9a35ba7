import { bearer, login } from '@app/testing/auth';
import { request } from '@app/testing/http-client';
import { pngImage } from '@app/testing/images';
import { TEST_ADMIN_PASSWORD } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, loaded, openPage, signIn, type ConsoleEntry } from './support/browser';

const DEVICE = 'dash-desk-2';

/** The device page's other panels and the users page, in real Chromium on the real services. */
describe('web dashboard details', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: ConsoleEntry[];

  const post = async (kind: string, body: unknown): Promise<void> => {
    const response = await request('POST', `${stack.api}/devices/${DEVICE}/${kind}`, {
      headers: stack.asDevice(DEVICE),
      body,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
  };

  /**
   * An admin's token for the test's own API calls. Access tokens live 10 s here, so it is
   * taken again after 5 s; not on every call, as sign-ins per address are rate-limited.
   */
  let adminToken: { value: string; until: number } | undefined;
  const asAdmin = async (): Promise<Record<string, string>> => {
    if (!adminToken || Date.now() > adminToken.until) {
      const pair = await login(stack.mentor!.url, 'admin', TEST_ADMIN_PASSWORD);
      adminToken = { value: pair.access_token, until: Date.now() + 5_000 };
    }
    return bearer(adminToken.value);
  };

  const mentorHas = async (path: string): Promise<boolean> => {
    const answer = await request<unknown[]>('GET', `${stack.mentor!.url}${path}`, {
      headers: await asAdmin(),
    });
    return answer.status === 200 && answer.body.length > 0;
  };

  beforeAll(async () => {
    // Short-lived access tokens: the page must renew them silently as it goes.
    stack = await Stack.start('dashboard_details', { mentorEnv: { ACCESS_TOKEN_TTL: '10s' } });
    await stack.setUp(async () => {
      await stack.registerDevice(DEVICE, { device_name: 'Front desk' });
      const now = Date.now();
      await post(
        'metrics',
        Array.from({ length: 30 }, (_, i) => ({
          timestamp: new Date(now - (30 - i) * 60_000).toISOString(),
          cpu_usage: 20 + i,
        })),
      );
      await post('processes', [
        {
          pid: 101,
          process_name: 'postgres',
          cpu: 12.5,
          memory: 300_000_000,
          command_text: 'postgres -D /data',
        },
        {
          pid: 202,
          process_name: 'chrome',
          cpu: 48,
          memory: 900_000_000,
          command_text: 'chrome --type=renderer',
        },
        {
          pid: 303,
          process_name: 'sshd',
          cpu: 0.1,
          memory: 8_000_000,
          command_text: 'sshd: /usr/sbin/sshd',
        },
      ]);
      await post('activities', [
        {
          activity_type: 'app_focus',
          app: 'Editor',
          description: 'Opened report.odt',
          duration: 600,
        },
      ]);
      const form = new FormData();
      form.append('file', new Blob([pngImage(320, 200)], { type: 'image/png' }), 'screen.png');
      const shot = await fetch(`${stack.api}/devices/${DEVICE}/screenshots`, {
        method: 'POST',
        body: form,
        headers: stack.asDevice(DEVICE),
      });
      assert.equal(shot.status, 201, await shot.text());
      // Everything forwarded before the pages open.
      for (const path of ['processes', 'activities', 'screenshots']) {
        await waitFor(() => mentorHas(`/devices/${DEVICE}/${path}`), {
          timeoutMs: 30_000,
          message: `the mentor to hold the device's ${path}`,
        });
      }
      browser = await launchChromium();
      ({ context, page, errors } = await openPage(browser));
      await page.goto(`${stack.mentor!.url}/`);
      await signIn(page, 'admin', TEST_ADMIN_PASSWORD);
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  /** Console errors a test causes on purpose (a refused renewal once the session ended). */
  let expected: RegExp | undefined;
  afterEach(() => {
    const seen = errors.splice(0).filter((e) => !expected?.test(e.text));
    expected = undefined;
    assert.deepEqual(seen, [], 'the browser console shows errors');
  });

  const processNames = async (): Promise<string[]> =>
    page.locator('[data-panel="processes"] tbody tr td:first-child').allTextContents();

  it('sorts and filters the process table', async () => {
    await page.goto(`${stack.mentor!.url}/devices/${DEVICE}?tab=processes`);
    await page.locator('[data-panel="processes"][data-loaded="true"]').waitFor();
    assert.deepEqual(await processNames(), ['chrome', 'postgres', 'sshd']);
    await page.getByRole('button', { name: /^Memory/ }).click();
    await page.getByRole('button', { name: /^Memory/ }).click();
    assert.deepEqual(await processNames(), ['sshd', 'postgres', 'chrome']);
    assert.match(page.url(), /psort=memory/);
    assert.match(page.url(), /pdir=asc/);
    await page.fill('[data-panel="processes"] input[type="search"]', 'sbin');
    await waitFor(async () => (await processNames()).join() === 'sshd', {
      message: 'the filter to leave sshd',
    });
  });

  it('shows the activity timeline and a new activity without a reload', async () => {
    await page.getByRole('tab', { name: 'Activity' }).click();
    await page.locator('[data-panel="activity"][data-loaded="true"]').waitFor();
    await page.locator('[data-panel="activity"] li', { hasText: 'Opened report.odt' }).waitFor();
    await post('activities', [
      { activity_type: 'login', app: 'Shell', description: 'Signed in at the console' },
    ]);
    const first = page.locator('[data-panel="activity"] li').first();
    await first.filter({ hasText: 'Signed in at the console' }).waitFor({ timeout: 20_000 });
  });

  it('shows a screenshot full size, fetched through the API', async () => {
    await page.getByRole('tab', { name: 'Screenshots' }).click();
    await page.locator('[data-panel="screenshots"][data-loaded="true"]').waitFor();
    const thumb = page.locator('.thumb img');
    await thumb.waitFor();
    assert.match((await thumb.getAttribute('src')) ?? '', /^blob:/);
    await page.locator('.thumb').click();
    const full = page.locator('dialog[open] img');
    await full.waitFor();
    await waitFor(
      async () =>
        (await full.evaluate((img: { naturalWidth: number }) => img.naturalWidth)) === 320,
      {
        message: 'the full-size image to load',
      },
    );
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
  });

  it('zooms into a range dragged across a chart and keeps it on reload', async () => {
    await page.locator('[data-charts-loaded="true"]').waitFor();
    const over = page.locator('[data-chart="CPU"] .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await waitFor(() => /from=.*&to=/.test(page.url()), { message: 'the range in the address' });
    const zoomed = page.url();
    assert.doesNotMatch(zoomed, /range=/);
    await page.locator('[data-charts-loaded="true"]').waitFor();
    await page.reload();
    await loaded(page, 'device');
    await page.locator('[data-charts-loaded="true"]').waitFor();
    assert.equal(page.url(), zoomed);
    assert.equal(await page.locator('[aria-label="Time range"] [aria-pressed="true"]').count(), 0);
  });

  it('lets an admin create a user, change its role and delete it', async () => {
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('link', { name: 'Users' }).click();
    await loaded(page, 'users');
    await page.fill('input[name="new-username"]', 'mentor.omar');
    await page.fill('input[name="new-password"]', 'a-long-password-123');
    await page.getByRole('button', { name: 'Create user' }).click();
    const row = page.locator('tr[data-user="mentor.omar"]');
    await row.waitFor();
    await row.getByRole('combobox').selectOption('admin');
    await waitFor(
      async () => {
        const users = await request<{ username: string; role: string }[]>(
          'GET',
          `${stack.mentor!.url}/users`,
          {
            headers: await asAdmin(),
          },
        );
        return users.body.find((u) => u.username === 'mentor.omar')?.role === 'admin';
      },
      { message: 'the role change to be stored' },
    );
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
  });

  it('renews the session silently, and after it ends signs in again and returns', async () => {
    const here = `${stack.mentor!.url}/devices/${DEVICE}?tab=processes`;
    await page.goto(here);
    await page.locator('[data-panel="processes"][data-loaded="true"]').waitFor();
    const stored = (): Promise<string | null> =>
      page.evaluate(`sessionStorage.getItem('raqeem.session')`);
    const first = await stored();
    await waitFor(async () => (await stored()) !== first, {
      timeoutMs: 20_000,
      message: 'the session to be renewed',
    });
    // The page works on with its renewed token.
    await page.getByRole('tab', { name: 'Activity' }).click();
    await page.locator('[data-panel="activity"][data-loaded="true"]').waitFor();
    // Every session of admin ends (as when an admin signs out everywhere).
    const ended = await request('POST', `${stack.mentor!.url}/auth/logout`, {
      headers: await asAdmin(),
      body: {},
    });
    assert.equal(ended.status, 204);
    adminToken = undefined;
    expected = /401 \(Unauthorized\) \(.*\/auth\/refresh\)$/;
    await page.locator('[data-page="login"]').waitFor({ timeout: 20_000 });
    assert.match(page.url(), /\/login\?next=%2Fdevices%2Fdash-desk-2%3Ftab%3Dactivity$/);
    await signIn(page, 'admin', TEST_ADMIN_PASSWORD);
    await page.locator('[data-panel="activity"][data-loaded="true"]').waitFor();
    assert.equal(page.url(), here.replace('processes', 'activity'));
  });
});
