import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PasswordSender, type PasswordClient } from '../../src/agent/password/password-sender.ts';
import { sealPassword } from '../../src/agent/password/sealed-password.ts';
import type { StoredMessage } from '../../src/agent/outbox-types.ts';
import type { ApiResult } from '../../src/agent/service-client.ts';
import { createLogger } from '../../src/core/log.ts';
import { isUserPilotError, UserPilotError } from '../../src/protocol/errors.ts';
import type {
  PasswordDeliveryRequest,
  PasswordDeliveryResponse,
} from '../../src/protocol/passwords.ts';

const key = randomBytes(32);
const logger = createLogger({ level: 'silent' });
const pwdLastSet = '2026-12-04T04:33:45.298Z';

function anchorOf(index: number): string {
  return `${index.toString(16).padStart(8, '0')}-4490-440c-831d-d529b86b8c32`;
}

/** An in-memory outbox holding `count` sealed deliveries. */
function fakeOutbox(count: number) {
  const messages: StoredMessage[] = [];
  for (let seq = 1; seq <= count; seq += 1) {
    const anchor = anchorOf(seq);
    const sealed = sealPassword(key, { anchor, password: `password-${seq}`, pwdLastSet });
    messages.push({ kind: 'password', seq, runId: null, batch: null, anchor, sealed });
  }
  return {
    messages,
    pendingPasswords: (limit: number) => messages.slice(0, limit),
    acknowledge: (seqs: readonly number[]) => {
      for (const seq of seqs) {
        const index = messages.findIndex((message) => message.seq === seq);
        if (index >= 0) messages.splice(index, 1);
      }
    },
  };
}

type Answer = (request: PasswordDeliveryRequest) => ApiResult<PasswordDeliveryResponse>;

function fakeClient(answer: Answer, url = 'https://127.0.0.1:8443') {
  const requests: PasswordDeliveryRequest[] = [];
  const client: PasswordClient = {
    url,
    submitPasswords: (request) => {
      requests.push(request);
      return Promise.resolve(answer(request));
    },
  };
  return { client, requests };
}

const storeAll: Answer = (request) => ({
  ok: true,
  value: {
    results: request.deliveries.map((delivery) => ({
      id: delivery.id,
      anchor: delivery.anchor,
      status: 'stored' as const,
    })),
  },
});

describe('password sender', () => {
  it('rejects a service URL that is not https', async () => {
    const outbox = fakeOutbox(1);
    const { client, requests } = fakeClient(storeAll, 'http://127.0.0.1:8080');
    const sender = new PasswordSender(outbox, client, key, logger);
    const error = await sender.sendPending().catch((failure: unknown) => failure);
    expect(isUserPilotError(error, 'UP_PASSWORD_TLS_REQUIRED')).toBe(true);
    expect(requests).toHaveLength(0);
    expect(outbox.messages).toHaveLength(1);
  });

  it('removes deliveries once the service answered', async () => {
    const outbox = fakeOutbox(3);
    const { client, requests } = fakeClient(storeAll);
    const summary = await new PasswordSender(outbox, client, key, logger).sendPending();
    expect(summary).toEqual({ delivered: 3, dropped: 0 });
    expect(outbox.messages).toHaveLength(0);
    expect(requests[0]?.deliveries.map((delivery) => delivery.password)).toEqual([
      'password-1',
      'password-2',
      'password-3',
    ]);
    expect(requests[0]?.deliveries[0]?.pwdLastSet).toBe(pwdLastSet);
  });

  it('sends at most 100 deliveries per request', async () => {
    const outbox = fakeOutbox(150);
    const { client, requests } = fakeClient(storeAll);
    await new PasswordSender(outbox, client, key, logger).sendPending();
    expect(requests.map((request) => request.deliveries.length)).toEqual([100, 50]);
  });

  it('keeps the queue when the service is unreachable', async () => {
    const outbox = fakeOutbox(2);
    const { client } = fakeClient(() => {
      throw new UserPilotError('UP_AGENT_SERVICE_UNREACHABLE', 'Cannot access remote service.');
    });
    const error = await new PasswordSender(outbox, client, key, logger)
      .sendPending()
      .catch((failure: unknown) => failure);
    expect(isUserPilotError(error, 'UP_AGENT_SERVICE_UNREACHABLE')).toBe(true);
    expect(outbox.messages).toHaveLength(2);
  });

  it('keeps the queue when the service fails', async () => {
    const outbox = fakeOutbox(2);
    const { client } = fakeClient(() => ({
      ok: false,
      status: 500,
      code: 'UP_AGENT_API_INTERNAL',
      message: 'The service failed while handling the request.',
      hint: undefined,
      details: {},
    }));
    const error = await new PasswordSender(outbox, client, key, logger)
      .sendPending()
      .catch((failure: unknown) => failure);
    expect(isUserPilotError(error, 'UP_AGENT_SERVICE_ERROR')).toBe(true);
    expect(outbox.messages).toHaveLength(2);
  });

  it('drops only the delivery the service rejects as invalid', async () => {
    const outbox = fakeOutbox(3);
    const invalidAnchor = anchorOf(2);
    const { client, requests } = fakeClient((request) =>
      request.deliveries.some((delivery) => delivery.anchor === invalidAnchor)
        ? {
            ok: false,
            status: 400,
            code: 'UP_AGENT_API_INVALID_BODY',
            message: 'Invalid request.',
            hint: undefined,
            details: { path: '/deliveries/1/password' },
          }
        : storeAll(request),
    );
    const summary = await new PasswordSender(outbox, client, key, logger).sendPending();
    expect(summary).toEqual({ delivered: 2, dropped: 1 });
    expect(outbox.messages).toHaveLength(0);
    expect(requests.map((request) => request.deliveries.length)).toEqual([3, 1, 1, 1]);
  });

  it('drops a delivery sealed with another key', async () => {
    const outbox = fakeOutbox(2);
    const first = outbox.messages[0];
    if (first?.kind !== 'password') throw new Error('fake outbox has no password message');
    first.sealed = sealPassword(randomBytes(32), {
      anchor: first.anchor,
      password: 'other-key',
      pwdLastSet,
    });
    const { client, requests } = fakeClient(storeAll);
    const summary = await new PasswordSender(outbox, client, key, logger).sendPending();
    expect(summary).toEqual({ delivered: 1, dropped: 1 });
    expect(requests[0]?.deliveries.map((delivery) => delivery.anchor)).toEqual([anchorOf(2)]);
  });
});
