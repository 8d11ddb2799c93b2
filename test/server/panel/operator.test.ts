import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, saveScreenshot, type TestBrowser } from '../../support/browser.ts';
import { startPanelFixture, type PanelFixture } from './fixture.ts';
import { flashText, headingOf, signIn } from './pages.ts';

const operator = { username: 'provider.operator', password: 'Operator-panel-password-1' };

let fixture: PanelFixture;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  fixture = await startPanelFixture();
  await fixture.service.operators.create(operator);
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

describe('provider operator pages', () => {
  it('operator signs in to Tenants', async () => {
    await page.goto(`${fixture.baseUrl}/panel/operator/sign-in`);
    await saveScreenshot(page, 'operator-sign-in');
    await signIn(page, fixture.baseUrl, operator, 'operator');
    expect(new URL(page.url()).pathname).toBe('/panel/operator/tenants');
    expect(await headingOf(page)).toBe('Tenants');
  });

  it('operator creates a tenant with its admin', async () => {
    await page.fill('#t-name', 'Northwind');
    await page.fill('#t-admin', 'nora.northwind');
    await page.fill('#t-password', 'Northwind-admin-password-1');
    await page.click('main form.stack button[type=submit]');
    expect(await flashText(page)).toBe('Tenant Northwind created with admin nora.northwind.');
    expect(await page.locator('main table').textContent()).toContain('Northwind');
    await saveScreenshot(page, 'tenants');

    const tenant = await fixture.service.tenants.getByName('Northwind');
    expect(tenant).not.toBeNull();
    const admin = await fixture.service.admins.verifyPassword(
      'nora.northwind',
      'Northwind-admin-password-1',
    );
    expect(admin?.tenantId).toBe(tenant?.id);
  });

  it('new tenant admin signs in', async () => {
    await browser.context.clearCookies();
    await signIn(page, fixture.baseUrl, {
      username: 'nora.northwind',
      password: 'Northwind-admin-password-1',
    });
    expect(new URL(page.url()).pathname).toBe('/panel/domains');
    expect(await page.locator('header .who').textContent()).toContain('Northwind');
  });

  it('tenant admin cannot sign in as operator', async () => {
    await browser.context.clearCookies();
    await signIn(
      page,
      fixture.baseUrl,
      { username: 'nora.northwind', password: 'Northwind-admin-password-1' },
      'operator',
    );
    expect(new URL(page.url()).pathname).toBe('/panel/operator/sign-in');
    expect(await flashText(page)).toContain('User name or password is incorrect.');
  });
});
