import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from '@app/testing/repo-root';

export { launchChromium } from '@app/testing/chromium';

export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

export interface ConsoleEntry {
  at: number;
  text: string;
}

/**
 * A page that records every console error and uncaught exception, with the time it came, so a
 * test can assert that there were none (or none outside a window it caused on purpose).
 */
export async function openPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; errors: ConsoleEntry[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors: ConsoleEntry[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location().url;
    errors.push({ at: Date.now(), text: `${message.text()}${where ? ` (${where})` : ''}` });
  });
  page.on('pageerror', (error) =>
    errors.push({ at: Date.now(), text: `uncaught: ${error.message}` }),
  );
  return { context, page, errors };
}

/** What the window shows, under test-artifacts/ (git-ignored). */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate('scrollTo(0, 0)');
  await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`) });
}

/** Signs in through the form and waits for the page it leads to. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('[data-page="login"]').waitFor();
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.locator('[data-page]:not([data-page="login"])').first().waitFor();
}

/** The page root once its first data is shown. */
export async function loaded(page: Page, name: string): Promise<void> {
  await page.locator(`[data-page="${name}"][data-loaded="true"]`).waitFor();
}
