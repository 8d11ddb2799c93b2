import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, saveScreenshot, type TestBrowser } from '../../support/browser.ts';
import {
  seedAgent,
  seedTenant,
  sendRun,
  startPanelFixture,
  system,
  userRecord,
  type PanelFixture,
} from './fixture.ts';
import { flashText, signIn } from './pages.ts';

const rita = { username: 'rita.removals', password: 'Rita-removals-password-1' };

let fixture: PanelFixture;
let browser: TestBrowser;
let page: Page;
let tenantId: string;
let missing: string[];
let agent: { agentId: string; epoch: number };

beforeAll(async () => {
  fixture = await startPanelFixture();
  const { service } = fixture;
  tenantId = await seedTenant(service, 'Removal Company', rita);
  await service.domains.register(tenantId, 'removal.example', system);
  const records = Array.from({ length: 10 }, (_, index) =>
    userRecord({ upn: `user${index}@removal.example`, displayName: `Removal User ${index}` }),
  );
  agent = await seedAgent(service, tenantId, 'DC1');
  await sendRun(service, tenantId, agent, { kind: 'full', records });

  // A complete full read without three of the ten objects: three removals exceed the guard's
  // default threshold (10 % of 10 objects), so all three are held.
  missing = records.slice(7).map((record) => record.anchor);
  const kept = records.slice(0, 7);
  const second = await sendRun(service, tenantId, agent, {
    kind: 'full',
    records: [],
    manifest: kept.map((record) => record.anchor),
  });
  expect(second.end.held).toBe(3);

  browser = await launchBrowser();
  page = await browser.newPage();
  await signIn(page, fixture.baseUrl, rita);
});

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

describe('pending removals page', () => {
  it('lists the held removals', async () => {
    await page.goto(`${fixture.baseUrl}/panel/userpilot/removals`);
    expect(await page.locator('main tbody tr').count()).toBe(3);
    const table = (await page.locator('main table').textContent()) ?? '';
    for (const anchor of missing) expect(table).toContain(anchor);
    expect(table).toContain('missing from a full read');
    await saveScreenshot(page, 'removals');
  });

  it('rejects one selected removal', async () => {
    const kept = missing[0] ?? '';
    const row = page.locator('main tbody tr', { hasText: kept });
    await row.locator('input[type=checkbox]').check();
    await page.click('button[value=reject]');
    expect(await flashText(page)).toBe('1 removal rejected; the object stays.');
    expect(await page.locator('main tbody tr').count()).toBe(2);
    expect((await fixture.service.directory.get(tenantId, kept))?.state).toBe('present');
  });

  it('approves all remaining removals', async () => {
    await page.check('input[name=scope][value=all]');
    await page.click('button[value=approve]');
    expect(await flashText(page)).toBe('2 removals approved and applied.');
    expect(await page.locator('main tbody').textContent()).toContain('No removals are held.');
    for (const anchor of missing.slice(1)) {
      expect((await fixture.service.directory.get(tenantId, anchor))?.state).toBe('removed');
    }
    expect(await fixture.service.removals.listPending(tenantId)).toEqual([]);
  });

  it('decision without a selection is rejected', async () => {
    const third = await sendRun(fixture.service, tenantId, agent, {
      kind: 'full',
      records: [],
      manifest: [],
    });
    expect(third.end.held).toBeGreaterThan(0);
    await page.goto(`${fixture.baseUrl}/panel/userpilot/removals`);
    await page.click('button[value=approve]');
    expect(await flashText(page)).toBe('Select at least one held removal first.');
    expect((await fixture.service.removals.listPending(tenantId)).length).toBe(third.end.held);
  });

  it('Agents warns about a silent agent', async () => {
    const { service, clock } = fixture;
    const install = await service.agents.rotateInstallPassword(tenantId, system);
    const hello = { host: 'dc2.corp.example', dc: 'DC2', version: '0.1.0' };
    const second = await service.agents.register(install.user, install.password, hello);
    expect(second).not.toBeNull();
    clock.advance(11 * 60 * 1000);
    await service.agents.heartbeat(tenantId, agent.agentId, {
      host: 'DC1.corp.example',
      dc: 'DC1',
      version: '0.1.0',
    });
    await page.goto(`${fixture.baseUrl}/panel/userpilot/agents`);
    const warning = (await page.locator('main .warning').textContent()) ?? '';
    expect(warning).toContain('DC2');
    expect(warning).not.toContain('DC1');
    await saveScreenshot(page, 'agents-silent');
  });
});
