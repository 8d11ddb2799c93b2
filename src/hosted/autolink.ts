/**
 * Autolink's matching, as a pure function: first by UPN (the whole address) against a mailbox's
 * UPN or any of its addresses, then by display name; a pair is made only when exactly one
 * candidate exists on each side. Never by the local part of an address alone.
 */
import type { AutolinkAmbiguity, AutolinkPair, AutolinkResult } from './types.ts';

export interface ObjectCandidate {
  anchor: string;
  upn: string | null;
  upnKey: string | null;
  displayName: string | null;
  displayNameKey: string | null;
}

export interface MailboxCandidate {
  id: string;
  /** Keys of the UPN and every other address. */
  addressKeys: string[];
  displayName: string | null;
  displayNameKey: string | null;
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function ambiguityKey(ambiguity: AutolinkAmbiguity): string {
  return `${ambiguity.by}|${[...ambiguity.anchors].sort().join(',')}|${[...ambiguity.mailboxIds].sort().join(',')}`;
}

/** Step one: objects matched to mailboxes by UPN. Returns what it used up. */
function matchByUpn(
  objects: readonly ObjectCandidate[],
  mailboxes: readonly MailboxCandidate[],
  result: AutolinkResult,
): { objectsUsed: Set<string>; mailboxesUsed: Set<string> } {
  const mailboxesByAddress = new Map<string, MailboxCandidate[]>();
  for (const mailbox of mailboxes) {
    for (const key of new Set(mailbox.addressKeys)) addTo(mailboxesByAddress, key, mailbox);
  }
  const candidatesOf = new Map<string, MailboxCandidate[]>();
  const objectsOf = new Map<string, ObjectCandidate[]>();
  for (const object of objects) {
    const matches = object.upnKey === null ? [] : (mailboxesByAddress.get(object.upnKey) ?? []);
    if (matches.length === 0) continue;
    candidatesOf.set(object.anchor, matches);
    for (const mailbox of matches) addTo(objectsOf, mailbox.id, object);
  }

  const objectsUsed = new Set<string>();
  const mailboxesUsed = new Set<string>();
  const seen = new Set<string>();
  for (const object of objects) {
    const matches = candidatesOf.get(object.anchor);
    if (matches === undefined) continue;
    objectsUsed.add(object.anchor);
    for (const mailbox of matches) mailboxesUsed.add(mailbox.id);

    const [only] = matches;
    if (matches.length === 1 && only !== undefined && objectsOf.get(only.id)?.length === 1) {
      result.pairs.push({ anchor: object.anchor, mailboxId: only.id, by: 'upn' });
      continue;
    }
    const rivals = new Set(
      matches.flatMap((m) => (objectsOf.get(m.id) ?? []).map((o) => o.anchor)),
    );
    const ambiguity: AutolinkAmbiguity = {
      by: 'upn',
      value: object.upn ?? '',
      anchors: [...rivals].sort(),
      mailboxIds: matches.map((m) => m.id).sort(),
    };
    if (!seen.has(ambiguityKey(ambiguity))) {
      seen.add(ambiguityKey(ambiguity));
      result.ambiguities.push(ambiguity);
    }
  }
  return { objectsUsed, mailboxesUsed };
}

/** Step two: the rest matched by display name, only when it is unique on both sides. */
function matchByDisplayName(
  objects: readonly ObjectCandidate[],
  mailboxes: readonly MailboxCandidate[],
  result: AutolinkResult,
): void {
  const objectsByName = new Map<string, ObjectCandidate[]>();
  for (const object of objects) {
    if (object.displayNameKey !== null) addTo(objectsByName, object.displayNameKey, object);
  }
  const mailboxesByName = new Map<string, MailboxCandidate[]>();
  for (const mailbox of mailboxes) {
    if (mailbox.displayNameKey !== null) addTo(mailboxesByName, mailbox.displayNameKey, mailbox);
  }
  for (const [name, named] of objectsByName) {
    const matches = mailboxesByName.get(name);
    if (matches === undefined) continue;
    const [object] = named;
    const [mailbox] = matches;
    if (
      named.length === 1 &&
      matches.length === 1 &&
      object !== undefined &&
      mailbox !== undefined
    ) {
      result.pairs.push({ anchor: object.anchor, mailboxId: mailbox.id, by: 'displayName' });
      continue;
    }
    result.ambiguities.push({
      by: 'displayName',
      value: object?.displayName ?? name,
      anchors: named.map((o) => o.anchor).sort(),
      mailboxIds: matches.map((m) => m.id).sort(),
    });
  }
}

/** Computes Autolink's pairs and ambiguities for unlinked objects and unlinked mailboxes. */
export function matchAutolink(
  objects: readonly ObjectCandidate[],
  mailboxes: readonly MailboxCandidate[],
): AutolinkResult {
  const result: AutolinkResult = { pairs: [] as AutolinkPair[], ambiguities: [] };
  const used = matchByUpn(objects, mailboxes, result);
  matchByDisplayName(
    objects.filter((o) => !used.objectsUsed.has(o.anchor)),
    mailboxes.filter((m) => !used.mailboxesUsed.has(m.id)),
    result,
  );
  return result;
}
