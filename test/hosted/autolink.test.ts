import { describe, expect, it } from 'vitest';
import {
  matchAutolink,
  type MailboxCandidate,
  type ObjectCandidate,
} from '../../src/hosted/autolink.ts';

function object(anchor: string, upn: string | null, displayName: string | null): ObjectCandidate {
  return {
    anchor,
    upn,
    upnKey: upn?.toLowerCase() ?? null,
    displayName,
    displayNameKey: displayName?.toLowerCase() ?? null,
  };
}

function mailbox(id: string, addresses: string[], displayName: string | null): MailboxCandidate {
  return {
    id,
    addressKeys: addresses.map((a) => a.toLowerCase()),
    displayName,
    displayNameKey: displayName?.toLowerCase() ?? null,
  };
}

describe('Autolink matching', () => {
  it.each([
    {
      name: 'unique UPN pairs',
      objects: [object('o1', 'a@x.example', 'A')],
      mailboxes: [mailbox('m1', ['a@x.example'], 'Other')],
      pairs: [{ anchor: 'o1', mailboxId: 'm1', by: 'upn' }],
      ambiguities: 0,
    },
    {
      name: 'mailbox matched by two objects through two addresses',
      objects: [object('o1', 'a@x.example', 'A'), object('o2', 'b@x.example', 'B')],
      mailboxes: [mailbox('m1', ['a@x.example', 'b@x.example'], null)],
      pairs: [],
      ambiguities: 1,
    },
    {
      name: 'UPN ambiguity keeps the pair out of the display-name step',
      objects: [object('o1', 'a@x.example', 'Same'), object('o2', 'b@x.example', 'Same')],
      mailboxes: [mailbox('m1', ['a@x.example', 'b@x.example'], 'Same')],
      pairs: [],
      ambiguities: 1,
    },
    {
      name: 'two objects with one display name',
      objects: [object('o1', null, 'Pat Lee'), object('o2', null, 'pat lee')],
      mailboxes: [mailbox('m1', ['p@x.example'], 'Pat Lee')],
      pairs: [],
      ambiguities: 1,
    },
    {
      name: 'local part alone never matches',
      objects: [object('o1', 'pat@one.example', null)],
      mailboxes: [mailbox('m1', ['pat@two.example'], null)],
      pairs: [],
      ambiguities: 0,
    },
    {
      name: 'display name pairs what UPN left',
      objects: [object('o1', 'a@x.example', 'A'), object('o2', 'z@x.example', 'Zed')],
      mailboxes: [mailbox('m1', ['a@x.example'], 'Zed'), mailbox('m2', ['q@x.example'], 'Zed')],
      pairs: [
        { anchor: 'o1', mailboxId: 'm1', by: 'upn' },
        { anchor: 'o2', mailboxId: 'm2', by: 'displayName' },
      ],
      ambiguities: 0,
    },
  ])('$name', ({ objects, mailboxes, pairs, ambiguities }) => {
    const result = matchAutolink(objects, mailboxes);
    expect(result.pairs).toEqual(pairs);
    expect(result.ambiguities).toHaveLength(ambiguities);
  });

  it('UPN ambiguity lists both objects once', () => {
    const result = matchAutolink(
      [object('o1', 'a@x.example', null), object('o2', 'b@x.example', null)],
      [mailbox('m1', ['a@x.example', 'b@x.example'], null)],
    );
    expect(result.ambiguities).toEqual([
      { by: 'upn', value: 'a@x.example', anchors: ['o1', 'o2'], mailboxIds: ['m1'] },
    ]);
  });

  it('ambiguity lists every candidate', () => {
    const result = matchAutolink(
      [object('o1', null, 'Alice Doe')],
      [mailbox('m2', ['b@x.example'], 'Alice Doe'), mailbox('m1', ['a@x.example'], 'ALICE DOE')],
    );
    expect(result.ambiguities).toEqual([
      { by: 'displayName', value: 'Alice Doe', anchors: ['o1'], mailboxIds: ['m1', 'm2'] },
    ]);
  });
});
