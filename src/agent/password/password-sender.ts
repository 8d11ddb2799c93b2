import type { Logger } from '../../core/log.ts';
import { maxPasswordDeliveries, type PasswordDelivery } from '../../protocol/passwords.ts';
import { isUserPilotError, UserPilotError } from '../../protocol/errors.ts';
import type { StoredMessage } from '../outbox-types.ts';
import { serviceError, type ApiResult } from '../service-client.ts';
import type {
  PasswordDeliveryRequest,
  PasswordDeliveryResponse,
} from '../../protocol/passwords.ts';
import { openSealedPassword } from './sealed-password.ts';

/** The outbox operations the sender uses. */
export interface PasswordOutbox {
  pendingPasswords(limit: number): StoredMessage[];
  acknowledge(seqs: readonly number[]): void;
}

/** The agent API call the sender uses; ServiceClient in production. */
export interface PasswordClient {
  readonly url: string;
  submitPasswords(request: PasswordDeliveryRequest): Promise<ApiResult<PasswordDeliveryResponse>>;
}

export interface SendSummary {
  delivered: number;
  /** Deliveries removed without reaching the service: undecryptable or rejected as invalid. */
  dropped: number;
}

/**
 * Sends the queued password deliveries to the service, oldest first, 100 per request. A
 * delivery leaves the outbox only when the service returned its verdict (every verdict is
 * final), or when it can never be sent. Failing to reach the service throws, with the queue
 * unchanged, so the caller retries later.
 */
export class PasswordSender {
  private readonly log: Logger;

  constructor(
    private readonly outbox: PasswordOutbox,
    private readonly client: PasswordClient,
    private readonly key: Buffer,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'password-delivery' });
  }

  async sendPending(): Promise<SendSummary> {
    requireHttps(this.client.url);
    const summary: SendSummary = { delivered: 0, dropped: 0 };
    for (;;) {
      const messages = this.outbox.pendingPasswords(maxPasswordDeliveries);
      if (messages.length === 0) return summary;
      const deliveries = this.openAll(messages, summary);
      if (deliveries.length > 0) await this.deliver(deliveries, summary);
    }
  }

  /** Opens each sealed message; one that cannot be opened is dropped with an error. */
  private openAll(messages: readonly StoredMessage[], summary: SendSummary): PasswordDelivery[] {
    const deliveries: PasswordDelivery[] = [];
    for (const message of messages) {
      if (message.kind !== 'password') continue;
      try {
        const opened = openSealedPassword(this.key, message.anchor, message.sealed);
        deliveries.push({ id: String(message.seq), ...opened });
      } catch (error) {
        if (!isUserPilotError(error, 'UP_PASSWORD_SEAL_INVALID')) throw error;
        this.log.error({ anchor: message.anchor, code: error.code }, error.message);
        this.outbox.acknowledge([message.seq]);
        summary.dropped += 1;
      }
    }
    return deliveries;
  }

  /**
   * Sends one request. When the service rejects the request as invalid, each delivery is sent
   * alone, so only the invalid one is dropped.
   */
  private async deliver(deliveries: PasswordDelivery[], summary: SendSummary): Promise<void> {
    const result = await this.client.submitPasswords({ deliveries });
    if (result.ok) {
      this.outbox.acknowledge(result.value.results.map((verdict) => Number(verdict.id)));
      summary.delivered += result.value.results.length;
      const stored = result.value.results.filter((verdict) => verdict.status === 'stored').length;
      this.log.info(
        { count: result.value.results.length, stored },
        'password changes delivered to the service',
      );
      return;
    }
    if (result.status !== 400) throw serviceError(this.client.url, result);
    if (deliveries.length > 1) {
      for (const delivery of deliveries) await this.deliver([delivery], summary);
      return;
    }
    const [only] = deliveries;
    if (only === undefined) return;
    this.log.error(
      { anchor: only.anchor, code: result.code, path: result.details.path },
      `the service rejected a password delivery as invalid; it is dropped: ${result.message}`,
    );
    this.outbox.acknowledge([Number(only.id)]);
    summary.dropped += 1;
  }
}

/** Rejects any service URL but https://: passwords travel only inside TLS. */
export function requireHttps(url: string): void {
  if (new URL(url).protocol === 'https:') return;
  throw new UserPilotError(
    'UP_PASSWORD_TLS_REQUIRED',
    `Password changes are sent only over HTTPS, and the service URL ${url} is not https://.`,
    { hint: "Set service.url to the service's https:// URL.", details: { url } },
  );
}
