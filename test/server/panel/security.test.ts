import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../../support/browser.ts';
import { seedTenant, startPanelFixture, system, type PanelFixture } from './fixture.ts';
import { csrfTokenOf, flashText, signIn } from './pages.ts';

const alice = { username: 'alice.security', password: 'Alice-security-password-1' };
const bob = { username: 'bob.security', password: 'Bob-security-password-1' };
const carol = { username: 'carol.security', password: 'Carol-security-password-1' };

let fixture: PanelFixture;
let browser: TestBrowser;
let page: Page;
let tenantA: string;
let mailboxA: string;
let domainA: string;

beforeAll(async () => {
  fixture = await startPanelFixture();
  const { service } = fixture;
  tenantA = await seedTenant(service, 'Alpha Security', alice);
  const tenantB = await seedTenant(service, 'Beta Security', bob);
  await seedTenant(service, 'Gamma Security', carol);
  domainA = (await service.domains.register(tenantA, 'alpha.example', system)).domain.id;
  mailboxA = (
    await service.mailboxes.create(
      tenantA,
      { upn: 'secret.person@alpha.example', displayName: 'Alpha Secret' },
      system,
    )
  ).id;
  await service.domains.register(tenantB, 'beta.example', system);
  await service.mailboxes.create(
    tenantB,
    { upn: 'beta.person@beta.example', displayName: 'Beta Person' },
    system,
  );
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

async function signOutEverywhere(): Promise<void> {
  await browser.context.clearCookies();
}

describe('panel security', () => {
  it('session cookie is Secure, HttpOnly and SameSite', async () => {
    await signIn(page, fixture.baseUrl, alice);
    const cookies = await browser.context.cookies(fixture.baseUrl);
    const session = cookies.find((cookie) => cookie.name === '__Host-userpilot_session');
    expect(session).toBeDefined();
    expect(session?.secure).toBe(true);
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    expect(session?.path).toBe('/');
  });

  it('session token is not readable by script', async () => {
    const visible = await page.evaluate<string>('document.cookie');
    expect(visible).not.toContain('userpilot_session');
  });

  it('form post without CSRF token is rejected', async () => {
    const response = await page.request.post(`${fixture.baseUrl}/panel/domains`, {
      form: { name: 'no-csrf.example' },
    });
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('CSRF token is missing or wrong');
    const names = (await fixture.service.domains.list(tenantA)).map((domain) => domain.name);
    expect(names).not.toContain('no-csrf.example');
  });

  it('form post with a wrong CSRF token is rejected', async () => {
    const response = await page.request.post(`${fixture.baseUrl}/panel/domains`, {
      form: { name: 'wrong-csrf.example', _csrf: 'A'.repeat(43) },
    });
    expect(response.status()).toBe(403);
    const names = (await fixture.service.domains.list(tenantA)).map((domain) => domain.name);
    expect(names).not.toContain('wrong-csrf.example');
  });

  it('form post with the CSRF token is accepted', async () => {
    await page.goto(`${fixture.baseUrl}/panel/domains`);
    const response = await page.request.post(`${fixture.baseUrl}/panel/domains`, {
      form: { name: 'with-csrf.example', _csrf: await csrfTokenOf(page) },
    });
    expect(response.status()).toBe(200);
    const names = (await fixture.service.domains.list(tenantA)).map((domain) => domain.name);
    expect(names).toContain('with-csrf.example');
  });

  it('pages without a session redirect to sign-in', async () => {
    await signOutEverywhere();
    await page.goto(`${fixture.baseUrl}/panel/mailboxes`);
    expect(new URL(page.url()).pathname).toBe('/panel/sign-in');
  });

  it('tenant admin sees only own mailboxes', async () => {
    await signIn(page, fixture.baseUrl, bob);
    await page.goto(`${fixture.baseUrl}/panel/mailboxes`);
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('beta.person@beta.example');
    expect(main).not.toContain('secret.person@alpha.example');
    await page.goto(`${fixture.baseUrl}/panel/mailboxes?q=secret`);
    expect(await page.locator('main').textContent()).not.toContain('Alpha Secret');
  });

  it("tenant admin cannot open another tenant's mailbox", async () => {
    const response = await page.goto(`${fixture.baseUrl}/panel/mailboxes/${mailboxA}`);
    expect(response?.status()).toBe(404);
    expect(await page.locator('main').textContent()).not.toContain('Alpha Secret');
  });

  it("tenant admin cannot remove another tenant's domain", async () => {
    await page.goto(`${fixture.baseUrl}/panel/domains`);
    expect(await page.locator('main').textContent()).not.toContain('alpha.example');
    const response = await page.request.post(`${fixture.baseUrl}/panel/domains/${domainA}/remove`, {
      form: { _csrf: await csrfTokenOf(page) },
    });
    expect(response.status()).toBeGreaterThanOrEqual(400);
    const names = (await fixture.service.domains.list(tenantA)).map((domain) => domain.name);
    expect(names).toContain('alpha.example');
  });

  it("tenant admin cannot edit another tenant's mailbox", async () => {
    const response = await page.request.post(`${fixture.baseUrl}/panel/mailboxes/${mailboxA}`, {
      form: { _csrf: await csrfTokenOf(page), displayName: 'Taken over' },
    });
    expect(response.status()).toBe(404);
    const mailbox = await fixture.service.mailboxes.get(tenantA, mailboxA);
    expect(mailbox?.displayName).toBe('Alpha Secret');
  });

  it('tenant admin cannot open provider pages', async () => {
    const response = await page.goto(`${fixture.baseUrl}/panel/operator/tenants`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('main').textContent()).not.toContain('Alpha Security');
  });

  it('repeated failed sign-ins are slowed', async () => {
    await signOutEverywhere();
    const wrong = { username: carol.username, password: 'not the password' };
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await signIn(page, fixture.baseUrl, wrong);
      expect(await flashText(page)).toBe('User name or password is incorrect.');
    }
    await signIn(page, fixture.baseUrl, wrong);
    expect(await flashText(page)).toMatch(/Wait \d+ seconds? before you try again/);

    // While the wait runs even the right password is rejected, without being checked.
    await signIn(page, fixture.baseUrl, carol);
    expect(new URL(page.url()).pathname).toBe('/panel/sign-in');
    expect(await flashText(page)).toMatch(/^Too many failed sign-ins\. Wait \d+ seconds?/);

    fixture.clock.advance(60_000);
    await signIn(page, fixture.baseUrl, carol);
    expect(new URL(page.url()).pathname).toBe('/panel/domains');
  });

  it('throttled sign-in answers 429 with Retry-After', async () => {
    await signOutEverywhere();
    const form = async () => {
      await page.goto(`${fixture.baseUrl}/panel/sign-in`);
      return csrfTokenOf(page);
    };
    let last = 0;
    let retryAfter: string | undefined;
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const response = await page.request.post(`${fixture.baseUrl}/panel/sign-in`, {
        form: { _csrf: await form(), username: carol.username, password: 'wrong again' },
      });
      last = response.status();
      retryAfter = response.headers()['retry-after'];
    }
    expect(last).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    fixture.clock.advance(60 * 60 * 1000);
  });

  it('sign-in form without its CSRF cookie is rejected', async () => {
    await signOutEverywhere();
    const response = await page.request.post(`${fixture.baseUrl}/panel/sign-in`, {
      form: { _csrf: 'forged', username: carol.username, password: carol.password },
    });
    expect(response.status()).toBe(403);
    const cookies = await browser.context.cookies(fixture.baseUrl);
    expect(cookies.some((cookie) => cookie.name === '__Host-userpilot_session')).toBe(false);
  });

  it('log lines hold codes but no password', () => {
    const lines = fixture.logLines.join('\n');
    expect(lines).toContain('UP_PANEL_SIGN_IN_FAILED');
    expect(lines).toContain('UP_PANEL_SIGN_IN_THROTTLED');
    expect(lines).toContain('UP_PANEL_CSRF_INVALID');
    for (const secret of [alice.password, bob.password, carol.password, 'not the password']) {
      expect(lines).not.toContain(secret);
    }
  });

  it('sign-out ends the session in the store', async () => {
    await signIn(page, fixture.baseUrl, alice);
    const token = (await browser.context.cookies(fixture.baseUrl)).find(
      (cookie) => cookie.name === '__Host-userpilot_session',
    )?.value;
    expect(token).toBeDefined();
    await page.click('header button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/panel/sign-in');
    expect(await fixture.service.sessions.get(token ?? '')).toBeNull();
  });

  it('pages carry a script-free content security policy', async () => {
    await signIn(page, fixture.baseUrl, alice);
    const response = await page.request.get(`${fixture.baseUrl}/panel/domains`);
    const headers = response.headers();
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['content-security-policy']).not.toContain('script-src');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['cache-control']).toBe('no-store');
  });

  it('panel routes stay out of the OpenAPI document', async () => {
    const response = await page.request.get(`${fixture.baseUrl}/openapi.json`);
    expect(response.status()).toBe(200);
    const document = (await response.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).some((path) => path.startsWith('/panel'))).toBe(false);
  });

  it('expired session leads back to sign-in', async () => {
    await page.goto(`${fixture.baseUrl}/panel/domains`);
    expect(new URL(page.url()).pathname).toBe('/panel/domains');
    fixture.clock.advance(9 * 60 * 60 * 1000);
    await page.goto(`${fixture.baseUrl}/panel/domains`);
    expect(new URL(page.url()).pathname).toBe('/panel/sign-in');
  });
});
