import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const root = join(import.meta.dirname, '..', '..');

/** Where browser tests keep one screenshot per page; a test artifact, ignored by git. */
export const screenshotDir = join(root, 'test-results', 'screenshots');

/** Debian's Chromium package. Playwright's own browser downloads are never used. */
const chromiumPath = process.env.USERPILOT_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags that keep Chromium off the network: no QUIC, no first-run pages, no background
 * fetches, no component updates and no sync. `--no-sandbox` because tests run as root.
 */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh profile that is removed again on `close()`. */
export interface TestBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with a fresh user-data-dir. The panel's test server uses a
 * self-signed certificate, so certificate errors are ignored for this profile only.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profileDir = mkdtempSync(join(tmpdir(), 'userpilot-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as test-results/screenshots/NAME.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/**
 * Records every JavaScript dialog (alert, confirm, prompt) the page opens and dismisses it, so
 * a test can assert that injected script never ran.
 */
export function recordDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return dialogs;
}
