import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Signs in through the form and waits for the page that follows. */
export async function signIn(
  page: Page,
  baseUrl: string,
  credentials: { username: string; password: string },
  kind: 'admin' | 'operator' = 'admin',
): Promise<void> {
  await page.goto(`${baseUrl}/panel/${kind === 'operator' ? 'operator/' : ''}sign-in`);
  await page.fill('#username', credentials.username);
  await page.fill('#password', credentials.password);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
}

/** Returns the page's flash message as the reader sees it, or '' when there is none. */
export async function flashText(page: Page): Promise<string> {
  const flash = page.locator('.flash');
  if ((await flash.count()) === 0) return '';
  return (await flash.first().innerText()).replace(/\s+/g, ' ').trim();
}

/** Returns the page's CSRF token, taken from the first of its forms. */
export async function csrfTokenOf(page: Page): Promise<string> {
  const token = await page.locator('input[name=_csrf]').first().getAttribute('value');
  expect(token).toBeTruthy();
  return token ?? '';
}

/** Returns the page's main heading. */
export async function headingOf(page: Page): Promise<string> {
  return ((await page.locator('main h1').textContent()) ?? '').trim();
}
