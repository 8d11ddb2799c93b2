import { describe, expect, it } from 'vitest';
import { UserPilotError } from '../../src/protocol/errors.ts';
import { agentErrorCodes, toErrorReply } from '../../src/server/error-reply.ts';

const fastifyError = (fields: Record<string, unknown> & { message?: string }) =>
  Object.assign(new Error(fields.message ?? 'failed'), fields);

describe('toErrorReply', () => {
  it.each([
    {
      name: 'a registry error',
      error: new UserPilotError('UP_AGENT_API_STALE_EPOCH', 'Epoch 3 is stale.', {
        hint: 'Acquire the lease again.',
        details: { epoch: 3 },
      }),
      status: 409,
      code: 'UP_AGENT_API_STALE_EPOCH',
      path: undefined,
    },
    {
      name: 'a missing field',
      error: fastifyError({
        validation: [
          { instancePath: '/agent', keyword: 'required', params: { missingProperty: 'dc' } },
        ],
        validationContext: 'body',
      }),
      status: 400,
      code: 'UP_AGENT_API_INVALID_BODY',
      path: '/agent/dc',
    },
    {
      name: 'an unknown field',
      error: fastifyError({
        validation: [
          {
            instancePath: '/records/4',
            keyword: 'additionalProperties',
            params: { additionalProperty: 'x' },
          },
        ],
        validationContext: 'body',
      }),
      status: 400,
      code: 'UP_AGENT_API_INVALID_BODY',
      path: '/records/4/x',
    },
    {
      name: 'malformed JSON',
      error: fastifyError({ code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }),
      status: 400,
      code: 'UP_AGENT_API_MALFORMED_JSON',
      path: undefined,
    },
    {
      name: 'an oversized body',
      error: fastifyError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }),
      status: 413,
      code: 'UP_AGENT_API_BODY_TOO_LARGE',
      path: undefined,
    },
    {
      name: 'another client error',
      error: fastifyError({ code: 'FST_ERR_BAD_URL', statusCode: 400, message: 'bad URL' }),
      status: 400,
      code: 'UP_AGENT_API_INVALID_BODY',
      path: undefined,
    },
  ])('maps $name', ({ error, status, code, path }) => {
    const reply = toErrorReply(error, agentErrorCodes);

    expect(reply.status).toBe(status);
    expect(reply.body.error.code).toBe(code);
    expect(reply.body.error.details?.path).toBe(path);
  });

  it('hides the message of an unexpected error', () => {
    const reply = toErrorReply(
      new Error('insert into agents values (secret-value) failed'),
      agentErrorCodes,
    );

    expect(reply.status).toBe(500);
    expect(reply.body.error.code).toBe('UP_AGENT_API_INTERNAL');
    expect(JSON.stringify(reply.body)).not.toContain('secret-value');
  });
});
