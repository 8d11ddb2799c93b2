import { decodeWatermark } from '../directory/watermark.ts';
import { storedIdentity } from './agent-identity.ts';
import { Outbox, watermarkKey } from './outbox.ts';
import type { LocalRun, OutboxKind } from './outbox-types.ts';
import { readMeta, type StateDatabase } from './state-db.ts';
import { statusKeys } from './sync-engine.ts';
import { systemClock } from '../core/clock.ts';

export interface AgentStatus {
  agentId: string | null;
  tenantId: string | null;
  lease: { held: boolean; epoch: number | null; holder: unknown; checkedAt: string } | null;
  lastRun: Pick<
    LocalRun,
    'kind' | 'startedAt' | 'endedAt' | 'recordsRead' | 'changesQueued' | 'result'
  > | null;
  currentRun: Pick<LocalRun, 'kind' | 'status' | 'startedAt' | 'recordsRead'> | null;
  queue: Record<OutboxKind, number>;
  watermark: { dnsHostName: string; invocationId: string; usn: string } | null;
  lastFullReadAt: string | null;
  lastError: { code?: string; message: string; context: string; at: string } | null;
}

/** Collects the agent's status from its state database; works while the agent runs. */
export function readAgentStatus(db: StateDatabase): AgentStatus {
  const outbox = new Outbox(db, systemClock);
  const identity = storedIdentity(db);
  const last = outbox.lastEndedRun();
  const current = outbox.nextRunToSend();
  const watermarkText = readMeta<string>(db, watermarkKey);
  const watermark = watermarkText === undefined ? undefined : decodeWatermark(watermarkText);
  return {
    agentId: identity?.agentId ?? null,
    tenantId: identity?.tenantId ?? null,
    lease: readMeta(db, statusKeys.leaseStatus) ?? null,
    lastRun:
      last === undefined
        ? null
        : {
            kind: last.kind,
            startedAt: last.startedAt,
            endedAt: last.endedAt,
            recordsRead: last.recordsRead,
            changesQueued: last.changesQueued,
            result: last.result,
          },
    currentRun:
      current === undefined
        ? null
        : {
            kind: current.kind,
            status: current.status,
            startedAt: current.startedAt,
            recordsRead: current.recordsRead,
          },
    queue: outbox.queueDepth(),
    watermark:
      watermark === undefined
        ? null
        : {
            dnsHostName: watermark.dnsHostName,
            invocationId: watermark.invocationId,
            usn: watermark.usn,
          },
    lastFullReadAt: readMeta<string>(db, statusKeys.lastFullRead) ?? null,
    lastError: readMeta(db, statusKeys.lastError) ?? null,
  };
}

/** Formats the status for a terminal. */
export function formatAgentStatus(status: AgentStatus): string {
  const lease = status.lease;
  const leaseText =
    lease === null
      ? 'unknown (no heartbeat yet)'
      : lease.held
        ? `held, epoch ${lease.epoch}`
        : `standing by (held by ${describeHolder(lease.holder)})`;
  const last = status.lastRun;
  const lastText =
    last === null
      ? 'none yet'
      : `${last.kind}, ended ${last.endedAt}, ${last.result?.state ?? 'unknown'}: ${last.recordsRead} read, ${last.changesQueued} sent, ` +
        `${last.result?.created ?? 0} created, ${last.result?.updated ?? 0} updated, ${last.result?.rejected ?? 0} rejected, ` +
        `${last.result?.removed ?? 0} removed, ${last.result?.held ?? 0} held`;
  const rows: [string, string][] = [
    [
      'Agent',
      status.agentId === null
        ? 'not registered yet'
        : `${status.agentId} (tenant ${status.tenantId})`,
    ],
    ['Lease', leaseText],
    ['Last run', lastText],
    [
      'Current run',
      status.currentRun === null
        ? 'none'
        : `${status.currentRun.kind}, ${status.currentRun.status}, ${status.currentRun.recordsRead} read`,
    ],
    [
      'Queue',
      `${status.queue.upsert} records, ${status.queue.removal} removals, ${status.queue.password} passwords`,
    ],
    [
      'Watermark',
      status.watermark === null
        ? 'none (next read is full)'
        : `USN ${status.watermark.usn} on ${status.watermark.dnsHostName}`,
    ],
    ['Last full read', status.lastFullReadAt ?? 'never'],
    [
      'Last error',
      status.lastError === null
        ? 'none'
        : `${status.lastError.at} ${status.lastError.context}: ${status.lastError.message}`,
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

function describeHolder(holder: unknown): string {
  if (typeof holder === 'object' && holder !== null && 'holderAgentId' in holder)
    return String(holder.holderAgentId);
  return 'another agent';
}
