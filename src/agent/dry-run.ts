import type { DirectorySource } from './directory-source.ts';
import type { Outbox } from './outbox.ts';
import { diffRecords, type AttributeChange } from './record-digest.ts';

/** One object the service would change, as `agent sync --once --dry-run` prints it. */
export interface PlannedChange {
  action: 'create' | 'update' | 'remove';
  anchor: string;
  dn: string | null;
  attributes: AttributeChange[];
}

export interface DryRunReport {
  complete: boolean;
  changes: PlannedChange[];
  unchanged: number;
}

/**
 * Reads the whole scope and compares it with the last state sent, without writing anything or
 * contacting the service. Removals are listed only when the read was complete, as the service
 * would compute them.
 */
export async function planFullRun(
  directory: DirectorySource,
  outbox: Outbox,
): Promise<DryRunReport> {
  const read = await directory.readScope();
  const seen = new Set<string>();
  const changes: PlannedChange[] = [];
  let unchanged = 0;
  let complete = true;
  for (;;) {
    const next = await read.pages.next();
    if (next.done === true) break;
    if (next.value.failures.length > 0) complete = false;
    for (const { record } of next.value.records) {
      seen.add(record.anchor);
      const before = outbox.sentRecord(record.anchor);
      const attributes = diffRecords(before, record);
      if (attributes.length === 0) unchanged += 1;
      else
        changes.push({
          action: before === undefined ? 'create' : 'update',
          anchor: record.anchor,
          dn: record.dn,
          attributes,
        });
    }
  }
  if (complete) {
    for (const anchor of outbox.sentAnchors()) {
      if (seen.has(anchor)) continue;
      changes.push({
        action: 'remove',
        anchor,
        dn: outbox.sentRecord(anchor)?.dn ?? null,
        attributes: [],
      });
    }
  }
  return { complete, changes, unchanged };
}

/** Formats the plan for a terminal, one object per block and one attribute per line. */
export function formatDryRun(report: DryRunReport): string {
  const lines: string[] = [];
  for (const change of report.changes) {
    lines.push(`${change.action} ${change.anchor} ${change.dn ?? ''}`.trimEnd());
    if (change.action === 'remove') lines.push('    left the scope or was deleted');
    for (const attribute of change.action === 'update' ? change.attributes : []) {
      lines.push(
        `    ${attribute.attribute}: ${JSON.stringify(attribute.before)} -> ${JSON.stringify(attribute.after)}`,
      );
    }
  }
  const count = (action: PlannedChange['action']) =>
    report.changes.filter((change) => change.action === action).length;
  lines.push(
    `${count('create')} to create, ${count('update')} to update, ${count('remove')} to remove, ${report.unchanged} unchanged` +
      (report.complete ? '' : ' (the read was incomplete, so no removals are listed)'),
  );
  return lines.join('\n');
}
