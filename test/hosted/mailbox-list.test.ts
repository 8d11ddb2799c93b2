import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailboxListQuery } from '../../src/hosted/types.ts';
import { adminActor, engines, openHarness, type Harness } from './harness.ts';

describe.each(engines)('mailbox list filters on %s', (engine) => {
  let h: Harness;

  /** Three unlinked mailboxes, of which b and c are soft-deleted. */
  beforeEach(async () => {
    h = await openHarness(engine);
    for (const name of ['a', 'b', 'c']) {
      const mailbox = await h.service.mailboxes.create(
        h.tenantId,
        { upn: `${name}@example.com` },
        adminActor,
      );
      if (name !== 'a') await h.service.mailboxes.delete(h.tenantId, mailbox.id, adminActor);
    }
  });

  afterEach(async () => {
    await h.dispose();
  });

  it.each<{ name: string; query: MailboxListQuery; upns: string[] }>([
    { name: 'default', query: {}, upns: ['a'] },
    { name: 'includeDeleted', query: { includeDeleted: true }, upns: ['a', 'b', 'c'] },
    { name: 'deleted only', query: { deleted: true }, upns: ['b', 'c'] },
    {
      name: 'deleted over includeDeleted',
      query: { deleted: true, includeDeleted: false },
      upns: ['b', 'c'],
    },
    { name: 'deleted with search', query: { deleted: true, search: 'c@' }, upns: ['c'] },
    { name: 'deleted, paged', query: { deleted: true, limit: 1 }, upns: ['b'] },
  ])('$name', async ({ query, upns }) => {
    const page = await h.service.mailboxes.list(h.tenantId, query);
    expect(page.items.map((m) => m.upn)).toEqual(upns.map((u) => `${u}@example.com`));
    if (query.deleted === true) {
      for (const mailbox of page.items) expect(mailbox.deletedAt).not.toBeNull();
    }
  });
});
