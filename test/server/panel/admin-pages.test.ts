import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  recordDialogs,
  saveScreenshot,
  type TestBrowser,
} from '../../support/browser.ts';
import {
  seedAgent,
  seedTenant,
  sendRun,
  startPanelFixture,
  system,
  userRecord,
  type PanelFixture,
} from './fixture.ts';
import { csrfTokenOf, flashText, headingOf, signIn } from './pages.ts';

const alice = { username: 'alice', password: 'Alice-panel-password-1' };
const hostileName = '<img src=x onerror=alert(1)>';

let fixture: PanelFixture;
let browser: TestBrowser;
let page: Page;
let dialogs: string[];
let tenantId: string;
let agent: { agentId: string; epoch: number };
const ids = {
  lindaMailbox: '',
  annMailbox: '',
  annAnchor: '',
  hostileMailbox: '',
  sam1Mailbox: '',
};

async function seedDirectory(): Promise<void> {
  const { service } = fixture;
  await service.domains.register(tenantId, 'contoso.example', system);
  const linda = userRecord({
    upn: 'linda@contoso.example',
    displayName: 'Linda Linked',
    givenName: 'Linda',
  });
  const ann = userRecord({ upn: 'ann@contoso.example', displayName: 'Ann Autolink' });
  const sam = userRecord({ upn: 'sam.object@contoso.example', displayName: 'Sam Same' });
  const wendy = userRecord({ upn: 'wendy@waiting.example', displayName: 'Wendy Waiting' });
  const nora = userRecord({ upn: 'nora', displayName: 'Nora NoUpn' });
  const hostile = userRecord({ upn: 'h@nowhere.example', displayName: hostileName });
  agent = await seedAgent(service, tenantId, 'DC1');
  await sendRun(service, tenantId, agent, {
    kind: 'full',
    records: [linda, ann, sam, wendy, nora, hostile],
  });

  const lindaMailbox = await service.mailboxes.create(
    tenantId,
    { upn: 'linda@contoso.example', displayName: 'Linda' },
    system,
  );
  await service.links.link(tenantId, linda.anchor, lindaMailbox.id, system);
  const pwdLastSet = fixture.clock.now().toISOString();
  const submitted = await service.passwords.submit(
    tenantId,
    { anchor: linda.anchor, password: 'Linda-ad-password-1', pwdLastSet },
    { kind: 'agent', id: agent.agentId },
  );
  expect(submitted).toBe('stored');
  const annMailbox = await service.mailboxes.create(
    tenantId,
    { upn: 'ann@contoso.example', displayName: 'Ann A.' },
    system,
  );
  const sam1Mailbox = await service.mailboxes.create(
    tenantId,
    { upn: 'sam1@contoso.example', displayName: 'Sam Same' },
    system,
  );
  await service.mailboxes.create(
    tenantId,
    { upn: 'sam2@contoso.example', displayName: 'Sam Same' },
    system,
  );
  const hostileMailbox = await service.mailboxes.create(
    tenantId,
    { upn: 'hostile@contoso.example', displayName: hostileName },
    system,
  );
  Object.assign(ids, {
    lindaMailbox: lindaMailbox.id,
    annMailbox: annMailbox.id,
    annAnchor: ann.anchor,
    hostileMailbox: hostileMailbox.id,
    sam1Mailbox: sam1Mailbox.id,
  });
}

beforeAll(async () => {
  fixture = await startPanelFixture();
  tenantId = await seedTenant(fixture.service, 'Contoso', alice);
  await seedDirectory();
  browser = await launchBrowser();
  page = await browser.newPage();
  dialogs = recordDialogs(page);
});

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

describe('control panel pages', () => {
  it('sign-in leads to Domains', async () => {
    await page.goto(`${fixture.baseUrl}/panel/sign-in`);
    await saveScreenshot(page, 'sign-in');
    await signIn(page, fixture.baseUrl, alice);
    expect(new URL(page.url()).pathname).toBe('/panel/domains');
    expect(await headingOf(page)).toBe('Domains');
    expect(await page.locator('header .who').textContent()).toContain('Contoso');
  });

  it('adding a domain reports newly eligible users', async () => {
    await page.goto(`${fixture.baseUrl}/panel/domains`);
    await page.fill('input[name=name]', 'waiting.example');
    await page.click('form.row button[type=submit]');
    expect(await flashText(page)).toContain('Domain waiting.example added.');
    expect(await flashText(page)).toContain('1 waiting directory user became eligible.');
    expect(await page.locator('main table').textContent()).toContain('waiting.example');
    await saveScreenshot(page, 'domains');
  });

  it('adding an invalid domain is rejected', async () => {
    await page.fill('input[name=name]', 'not a domain');
    await page.click('form.row button[type=submit]');
    expect(await page.locator('.flash.error').count()).toBe(1);
    const domains = await fixture.service.domains.list(tenantId);
    expect(domains.map((domain) => domain.name)).not.toContain('not a domain');
  });

  it('mailbox list marks linked mailboxes', async () => {
    await page.goto(`${fixture.baseUrl}/panel/mailboxes`);
    const lindaRow = page.locator(`tr[data-mailbox-id="${ids.lindaMailbox}"]`);
    expect(await lindaRow.locator('.display-name').textContent()).toContain('(linked)');
    const annRow = page.locator(`tr[data-mailbox-id="${ids.annMailbox}"]`);
    expect(await annRow.locator('.display-name').textContent()).not.toContain('(linked)');
    expect(await lindaRow.textContent()).toContain('synchronized at');
    expect(await lindaRow.textContent()).not.toContain('not synchronized yet');
    expect(await annRow.textContent()).toContain('not synchronized yet — change it on premises');
    await saveScreenshot(page, 'mailboxes');
  });

  it('mailbox search finds one mailbox', async () => {
    await page.fill('input[name=q]', 'linda');
    await page.click('form[role=search] button');
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody').textContent()).toContain('linda@contoso.example');
  });

  it('linked mailbox General fields are read-only', async () => {
    await page.goto(`${fixture.baseUrl}/panel/mailboxes/${ids.lindaMailbox}`);
    expect(await page.locator('#managed-note').textContent()).toContain('local Active');
    expect(await page.locator('#f-displayName').isEditable()).toBe(false);
    expect(await page.locator('#f-givenName').isEditable()).toBe(false);
    expect(await page.locator('#f-upn').isEditable()).toBe(false);
    expect(await page.locator('#mailbox-form button[type=submit]').count()).toBe(0);
    await saveScreenshot(page, 'mailbox-linked');
  });

  it('forged edit of a linked mailbox is rejected', async () => {
    const before = await fixture.service.mailboxes.get(tenantId, ids.lindaMailbox);
    const response = await page.request.post(
      `${fixture.baseUrl}/panel/mailboxes/${ids.lindaMailbox}`,
      {
        form: { _csrf: await csrfTokenOf(page), displayName: 'Forged Name', title: 'Forged title' },
      },
    );
    expect(response.status()).toBe(409);
    expect(await response.text()).toContain('local Active Directory');
    const after = await fixture.service.mailboxes.get(tenantId, ids.lindaMailbox);
    expect(after?.displayName).toBe(before?.displayName);
    expect(after?.profile.title).toBe(before?.profile.title);
  });

  it('unlinked mailbox can be edited', async () => {
    await page.goto(`${fixture.baseUrl}/panel/mailboxes/${ids.annMailbox}`);
    expect(await page.locator('#f-title').isEditable()).toBe(true);
    await page.fill('#f-title', 'Editor');
    await page.click('#mailbox-form button[type=submit]');
    expect(await flashText(page)).toBe('Mailbox saved.');
    const after = await fixture.service.mailboxes.get(tenantId, ids.annMailbox);
    expect(after?.profile.title).toBe('Editor');
  });

  it('creates a mailbox', async () => {
    await page.goto(`${fixture.baseUrl}/panel/mailboxes/new`);
    await page.fill('#f-upn', 'new.person@contoso.example');
    await page.fill('#f-displayName', 'New Person');
    await page.fill('#f-password', 'New-person-password-1');
    await saveScreenshot(page, 'mailbox-create');
    await page.click('#mailbox-form button[type=submit]');
    expect(await flashText(page)).toContain('new.person@contoso.example created');
    const created = await fixture.service.mailboxes.getByAddress(
      tenantId,
      'new.person@contoso.example',
    );
    expect(created?.displayName).toBe('New Person');
  });

  it('hostile display name stays text', async () => {
    await page.goto(`${fixture.baseUrl}/panel/mailboxes?q=hostile`);
    const cell = page.locator(`tr[data-mailbox-id="${ids.hostileMailbox}"] .display-name`);
    expect(await cell.textContent()).toContain(hostileName);
    expect(await page.getByText(hostileName).first().isVisible()).toBe(true);
    expect(await page.locator('main img').count()).toBe(0);
    await page.goto(`${fixture.baseUrl}/panel/userpilot/unlinked`);
    expect(await page.locator('main').textContent()).toContain(hostileName);
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('Unlinked lists reasons for ineligible objects', async () => {
    await page.goto(`${fixture.baseUrl}/panel/userpilot/unlinked`);
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('Nora NoUpn');
    expect(main).toContain('not eligible');
    expect(main).toContain('Sam Same');
    await saveScreenshot(page, 'unlinked');
  });

  it('Autolink preview then apply', async () => {
    await page.click('text=Autolink: preview');
    expect(await headingOf(page)).toBe('UserPilot: Autolink preview');
    const tables = page.locator('main table');
    const proposed = (await tables.nth(0).textContent()) ?? '';
    expect(proposed).toContain('Ann Autolink');
    expect(proposed).toContain('ann@contoso.example');
    const ambiguous = (await tables.nth(1).textContent()) ?? '';
    expect(ambiguous).toContain('sam1@contoso.example');
    expect(ambiguous).toContain('sam2@contoso.example');
    expect(ambiguous).toContain('sam.object@contoso.example');
    expect(
      (await fixture.service.mailboxes.get(tenantId, ids.annMailbox))?.linkedAnchor,
    ).toBeNull();
    await saveScreenshot(page, 'autolink-preview');

    await page.click('main form button[type=submit]');
    expect(await flashText(page)).toMatch(/Autolink linked [1-9]\d* pairs?/);
    const ann = await fixture.service.mailboxes.get(tenantId, ids.annMailbox);
    expect(ann?.linkedAnchor).toBe(ids.annAnchor);
    const sams = await fixture.service.mailboxes.list(tenantId, { search: 'sam', linked: false });
    expect(sams.items.length).toBe(2);
  });

  it('manual link pairs an object with a mailbox', async () => {
    await page.goto(`${fixture.baseUrl}/panel/userpilot/unlinked`);
    const row = page.locator('main tbody tr', { hasText: 'sam.object@contoso.example' });
    await row.locator('input[name=mailbox]').fill('sam1@contoso.example');
    await row.locator('button', { hasText: 'Link' }).click();
    expect(await flashText(page)).toBe(
      'Mailbox sam1@contoso.example linked; its UPN is now sam.object@contoso.example, as in the local AD.',
    );
    const sam1 = await fixture.service.mailboxes.get(tenantId, ids.sam1Mailbox);
    expect(sam1?.linkedAnchor).not.toBeNull();
    expect(sam1?.upn).toBe('sam.object@contoso.example');
  });

  it('manual link to an unknown address is rejected', async () => {
    const row = page.locator('main tbody tr', { hasText: 'wendy@waiting.example' });
    await row.locator('input[name=mailbox]').fill('nobody@contoso.example');
    await row.locator('button', { hasText: 'Link' }).click();
    expect(await flashText(page)).toContain('No mailbox has the address nobody@contoso.example.');
  });

  it('Autocreate makes a mailbox for a selected object', async () => {
    await page.goto(`${fixture.baseUrl}/panel/userpilot/unlinked`);
    const row = page.locator('main tbody tr', { hasText: 'wendy@waiting.example' });
    await row.locator('input[type=checkbox]').check();
    await page.click('button:has-text("Autocreate selected")');
    expect(await flashText(page)).toBe('Autocreate made 1 mailbox.');
    const wendy = await fixture.service.mailboxes.getByAddress(tenantId, 'wendy@waiting.example');
    expect(wendy?.linkedAnchor).not.toBeNull();
    expect(wendy?.displayName).toBe('Wendy Waiting');
  });

  it('Autocreate all covers every eligible object', async () => {
    const arrivals = [
      userRecord({ upn: 'olga@contoso.example', displayName: 'Olga Arrival' }),
      userRecord({ upn: 'piet@contoso.example', displayName: 'Piet Arrival' }),
    ];
    await sendRun(fixture.service, tenantId, agent, { kind: 'delta', records: arrivals });
    await page.goto(`${fixture.baseUrl}/panel/userpilot/unlinked`);
    await page.click('button:has-text("Autocreate all eligible")');
    expect(await flashText(page)).toBe('Autocreate made 2 mailboxes.');
    for (const record of arrivals) {
      const mailbox = await fixture.service.mailboxes.getByAddress(
        tenantId,
        record.userPrincipalName ?? '',
      );
      expect(mailbox?.linkedAnchor).toBe(record.anchor);
    }
  });

  it('unlink from the mailbox page', async () => {
    await page.goto(`${fixture.baseUrl}/panel/mailboxes/${ids.sam1Mailbox}`);
    await page.click('button:has-text("Unlink from directory object")');
    expect(await flashText(page)).toContain('Mailbox unlinked.');
    expect(await page.locator('#f-displayName').isEditable()).toBe(true);
    const after = await fixture.service.mailboxes.get(tenantId, ids.sam1Mailbox);
    expect(after?.linkedAnchor).toBeNull();
  });

  it('Instructions shows a new install password once', async () => {
    await page.goto(`${fixture.baseUrl}/panel/userpilot/instructions`);
    expect(await page.locator('#fingerprint').textContent()).toBe(fixture.fingerprint);
    await page.click('text=Make a new install password');
    const password = (
      (await page.locator('#new-install-password code').textContent()) ?? ''
    ).trim();
    expect(password.length).toBeGreaterThan(10);
    await saveScreenshot(page, 'instructions');
    await page.goto(`${fixture.baseUrl}/panel/userpilot/instructions`);
    expect(await page.locator('#new-install-password').count()).toBe(0);
    expect(await page.content()).not.toContain(password);
  });

  it('Settings saves the policies', async () => {
    await page.goto(`${fixture.baseUrl}/panel/userpilot/settings`);
    await page.fill('#retention', '45');
    await page.check('input[name=leaveScope][value=soft-delete]');
    await page.click('main form button[type=submit]');
    expect(await flashText(page)).toBe('Settings saved.');
    const policies = await fixture.service.policies.get(tenantId);
    expect(policies.softDeleteRetentionDays).toBe(45);
    expect(policies.leaveScope).toBe('soft-delete');
    await saveScreenshot(page, 'settings');
  });

  it('Settings restores a deleted mailbox', async () => {
    const { service } = fixture;
    const doomed = await service.mailboxes.create(
      tenantId,
      { upn: 'doomed@contoso.example', displayName: 'Doomed Mailbox' },
      system,
    );
    await service.mailboxes.delete(tenantId, doomed.id, system);
    await page.goto(`${fixture.baseUrl}/panel/userpilot/settings`);
    const row = page.locator('main tbody tr', { hasText: 'doomed@contoso.example' });
    expect(await row.count()).toBe(1);
    await row.locator('button', { hasText: 'Restore' }).click();
    expect(await flashText(page)).toBe('Mailbox doomed@contoso.example restored.');
    expect((await service.mailboxes.get(tenantId, doomed.id))?.deletedAt).toBeNull();
    expect(await page.locator('main tbody').textContent()).not.toContain('doomed@contoso.example');
  });

  it('Agents shows the lease holder', async () => {
    await page.goto(`${fixture.baseUrl}/panel/userpilot/agents`);
    const table = (await page.locator('main table').textContent()) ?? '';
    expect(table).toContain('DC1');
    expect(table).toContain('holds the lease');
    expect(table).toContain('full run, complete');
    await saveScreenshot(page, 'agents');
  });

  it('Activity filters by object type', async () => {
    await page.goto(`${fixture.baseUrl}/panel/userpilot/activity?objectType=domain`);
    const types = await page.locator('main tbody tr td:nth-child(4)').allInnerTexts();
    expect(types.length).toBeGreaterThan(0);
    for (const type of types) expect(type).toMatch(/^domain/);
    await saveScreenshot(page, 'activity');
  });

  it('Activity filters by actor', async () => {
    await page.goto(`${fixture.baseUrl}/panel/userpilot/activity?actor=alice`);
    const actors = await page.locator('main tbody tr td:nth-child(2)').allInnerTexts();
    expect(actors.length).toBeGreaterThan(0);
    for (const actor of actors) expect(actor).toBe('admin alice');
  });

  it('Activity filters by time', async () => {
    const future = new Date(fixture.clock.now().getTime() + 3_600_000).toISOString().slice(0, 16);
    await page.goto(`${fixture.baseUrl}/panel/userpilot/activity?since=${future}`);
    expect(await page.locator('main tbody').textContent()).toContain('No activity matches.');
    await page.goto(`${fixture.baseUrl}/panel/userpilot/activity?until=${future}`);
    expect(await page.locator('main tbody tr td:nth-child(2)').count()).toBeGreaterThan(0);
  });

  it('SCIM token is shown once and can be revoked', async () => {
    await page.goto(`${fixture.baseUrl}/panel/userpilot/scim-tokens`);
    await page.fill('input[name=label]', 'Identity provider');
    await page.click('main form.row button[type=submit]');
    const token = ((await page.locator('#new-scim-token code').textContent()) ?? '').trim();
    expect(await fixture.service.scimTokens.verify(token)).not.toBeNull();
    await saveScreenshot(page, 'scim-tokens');
    await page.goto(`${fixture.baseUrl}/panel/userpilot/scim-tokens`);
    expect(await page.content()).not.toContain(token);
    await page.click('text=Revoke');
    expect(await flashText(page)).toBe('Token revoked.');
    expect(await fixture.service.scimTokens.verify(token)).toBeNull();
  });
});
