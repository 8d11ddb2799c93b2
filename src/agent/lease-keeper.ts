import type { Logger } from '../core/log.ts';
import type { LeaseState } from '../protocol/lease.ts';
import type { ServiceClient } from './service-client.ts';
import { readMeta, writeMeta, type StateDatabase } from './state-db.ts';

const leaseMetaKey = 'lease';

/** The lease as this agent last held it, kept across restarts. */
interface HeldLease {
  agentId: string;
  epoch: number;
}

export type AcquireOutcome =
  { kind: 'granted'; epoch: number; continuous: boolean } | { kind: 'standby'; holder: LeaseState };

/**
 * Takes and keeps the tenant's directory lease. `continuous` tells whether anybody else could
 * have held it since this agent last did: if so, the agent must drop its diff base, because
 * the other holder may have sent newer states than the ones it remembers.
 */
export class LeaseKeeper {
  private current: LeaseState | undefined;

  constructor(
    private readonly client: ServiceClient,
    private readonly db: StateDatabase,
    private readonly agentId: string,
    private readonly log: Logger,
  ) {}

  get epoch(): number | undefined {
    return this.current?.epoch;
  }

  get ttlSeconds(): number | undefined {
    return this.current?.ttlSeconds;
  }

  /** Requests the lease; `observed` is the lease the last heartbeat reported, if any. */
  async acquire(observed: LeaseState | null | undefined): Promise<AcquireOutcome> {
    const answer = await this.client.acquireLease();
    if (!answer.ok) throw new Error(`lease acquire failed: ${answer.code}: ${answer.message}`);
    const { granted, lease } = answer.value;
    if (!granted) {
      this.current = undefined;
      return { kind: 'standby', holder: lease };
    }
    const previous = readMeta<HeldLease>(this.db, leaseMetaKey);
    // Acquiring sets the holder, so a lease still naming this agent right before the request
    // means nobody else took it in between, even when the epoch rose after it expired.
    const continuous =
      previous !== undefined &&
      previous.agentId === this.agentId &&
      (previous.epoch === lease.epoch ||
        observed?.holderAgentId === this.agentId ||
        observed === null);
    this.current = lease;
    writeMeta(this.db, leaseMetaKey, {
      agentId: this.agentId,
      epoch: lease.epoch,
    } satisfies HeldLease);
    this.log.info({ epoch: lease.epoch, continuous }, 'directory lease acquired');
    return { kind: 'granted', epoch: lease.epoch, continuous };
  }

  /** Renews the lease; returns false when it was lost. */
  async renew(): Promise<boolean> {
    if (this.current === undefined) return false;
    const answer = await this.client.renewLease(this.current.epoch);
    if (answer.ok && answer.value.granted) {
      this.current = answer.value.lease;
      return true;
    }
    this.log.warn(
      { epoch: this.current.epoch, code: answer.ok ? undefined : answer.code },
      'directory lease lost; standing by',
    );
    this.current = undefined;
    return false;
  }

  /** Gives the lease up, so another agent can take over at once. */
  async release(): Promise<void> {
    if (this.current === undefined) return;
    const epoch = this.current.epoch;
    this.current = undefined;
    await this.client.releaseLease(epoch);
  }

  /** Forgets the lease locally (after the service said it is not held). */
  drop(): void {
    this.current = undefined;
  }
}
