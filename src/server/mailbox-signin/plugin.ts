import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Clock } from '../../core/clock.ts';
import { componentLogger, type Logger } from '../../core/log.ts';
import type { PasswordApi, SignInThrottleApi } from '../../hosted/index.ts';
import { errorBodySchema } from '../../protocol/error-body.ts';
import { UserPilotError } from '../../protocol/errors.ts';
import type { ServerPlugin } from '../app.ts';
import { defaultThrottlePolicy, secondsToWait, type ThrottlePolicy } from '../panel/throttle.ts';
import { HostedThrottleStore } from '../panel/throttle-store.ts';
import { signInPage } from './sign-in-page.ts';

/** The JSON sign-in route and the HTML page for mailbox users. */
export const mailboxSignInRoutes = {
  api: '/mailbox/v1/signin',
  page: '/mailbox/signin',
} as const;

const signInBodySchema = Type.Object({
  login: Type.String({ minLength: 1, maxLength: 320, description: 'Mailbox address or UPN' }),
  password: Type.String({ minLength: 1, maxLength: 512 }),
});

type SignInBody = Static<typeof signInBodySchema>;

export interface MailboxSignInOptions {
  service: { passwords: PasswordApi; signInThrottle: SignInThrottleApi };
  clock: Clock;
  logger: Logger;
}

/**
 * Mailbox sign-in against the synchronized password hashes: POST /mailbox/v1/signin (JSON)
 * and a small HTML form at /mailbox/signin. Every refusal gets the same response, so it cannot
 * be used to learn which addresses exist; the reason goes to the log. Failures per address
 * slow down like the panel's sign-in.
 */
export function mailboxSignInPlugin(options: MailboxSignInOptions): ServerPlugin {
  return async (app) => {
    await app.register(async (scope) => {
      await scope.register(fastifyFormbody);
      registerRoutes(scope, options);
    });
  };
}

function registerRoutes(app: FastifyInstance, options: MailboxSignInOptions): void {
  const check = signInChecker(options);

  app.post<{ Body: SignInBody }>(
    mailboxSignInRoutes.api,
    {
      schema: {
        tags: ['mailbox'],
        summary: 'Check a mailbox sign-in',
        body: signInBodySchema,
        response: {
          200: Type.Object({ ok: Type.Literal(true), mailboxId: Type.String() }),
          '4xx': errorBodySchema,
        },
      },
      attachValidation: true,
    },
    async (request) => {
      if (request.validationError !== undefined) throw invalidRequest();
      const mailboxId = await check(request, request.body);
      if (mailboxId === null) throw signInFailed();
      return { ok: true as const, mailboxId };
    },
  );

  app.get(mailboxSignInRoutes.page, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(signInPage()),
  );

  app.post<{ Body: Partial<SignInBody> }>(
    mailboxSignInRoutes.page,
    { schema: { hide: true } },
    async (request, reply) => {
      const { login, password } = request.body ?? {};
      const valid = typeof login === 'string' && typeof password === 'string';
      const mailboxId =
        valid && login !== '' && password !== '' ? await check(request, { login, password }) : null;
      const page = signInPage(
        mailboxId === null ? { ok: false } : { ok: true, login: login ?? '' },
      );
      return reply
        .code(mailboxId === null ? 401 : 200)
        .type('text/html; charset=utf-8')
        .send(page);
    },
  );
}

/** One client address gets more attempts than one login, as it may be shared (a NAT). */
const clientPolicy: ThrottlePolicy = { ...defaultThrottlePolicy, freeAttempts: 10 };

/**
 * The throttle keys of one attempt: the login (the store normalises it like the sign-in lookup,
 * NFC and lower case) and the client address, which limits spraying over many logins.
 */
function throttleKeys(request: FastifyRequest, login: string) {
  return { login: `mailbox:${login}`, client: `mailbox-client:${request.ip}` };
}

/** Checks one sign-in with throttling; returns the mailbox id, or null when refused. */
function signInChecker(options: MailboxSignInOptions) {
  const throttle = new HostedThrottleStore(options.service.signInThrottle);
  const policy = defaultThrottlePolicy;
  const forgetMs = policy.forgetAfterSeconds * 1000;
  const log = componentLogger(options.logger, 'mailbox-sign-in');

  const currentWait = async (keys: ReturnType<typeof throttleKeys>): Promise<number> => {
    const [login, client] = await Promise.all([
      throttle.get(keys.login),
      throttle.get(keys.client),
    ]);
    const now = options.clock.now();
    return Math.max(secondsToWait(login, now, policy), secondsToWait(client, now, clientPolicy));
  };

  return async (request: FastifyRequest, body: SignInBody): Promise<string | null> => {
    const keys = throttleKeys(request, body.login);
    const wait = await currentWait(keys);
    if (wait > 0) throw throttled(wait);

    const result = await options.service.passwords.verifySignIn(body.login, body.password);
    if (result.ok) {
      await throttle.clear(keys.login);
      log.info(
        { tenant_id: result.tenantId, mailbox_id: result.mailboxId, request_id: request.id },
        'mailbox sign-in accepted',
      );
      return result.mailboxId;
    }
    await Promise.all([
      throttle.recordFailure(keys.login, forgetMs),
      throttle.recordFailure(keys.client, forgetMs),
    ]);
    log.info({ reason: result.reason, request_id: request.id }, 'mailbox sign-in rejected');
    return null;
  };
}

function signInFailed(): UserPilotError {
  return new UserPilotError(
    'UP_PASSWORD_SIGN_IN_FAILED',
    'The address or password is incorrect, or this mailbox may not sign in.',
    { hint: 'Check the address and password; a new password may take a few seconds to arrive.' },
  );
}

function invalidRequest(): UserPilotError {
  return new UserPilotError(
    'UP_PASSWORD_SIGN_IN_INVALID',
    'The sign-in request needs a login and a password, both non-empty strings.',
    { hint: 'Send {"login": ADDRESS, "password": PASSWORD} as JSON.' },
  );
}

function throttled(seconds: number): UserPilotError {
  return new UserPilotError(
    'UP_PANEL_SIGN_IN_THROTTLED',
    `Too many failed sign-ins for this address; try again in ${seconds} seconds.`,
    { details: { retryAfterSeconds: seconds } },
  );
}
