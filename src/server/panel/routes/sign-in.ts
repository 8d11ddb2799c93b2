/**
 * Sign-in and sign-out for tenant admins and provider operators. Failed attempts are counted per
 * account and per client address. Past a few free attempts each one must wait longer, and the
 * password is not checked at all while a wait is running.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Operator, TenantAdmin } from '../../../hosted/index.ts';
import type { PanelContext } from '../context.ts';
import { csrfFieldName, csrfTokenMatches, newCsrfToken } from '../csrf.ts';
import { html } from '../html.ts';
import { panelUrl, type Flash } from '../layout.ts';
import { formText } from '../auth.ts';
import { cookieOptions, sessionCookieName, signInCookieName } from '../session-cookie.ts';
import { defaultThrottlePolicy, secondsToWait, type ThrottlePolicy } from '../throttle.ts';
import { renderSignIn } from '../views/sign-in.ts';

type Kind = 'admin' | 'operator';

/** A shared address (an office behind NAT) gets more free attempts than one account. */
const addressPolicy: ThrottlePolicy = { ...defaultThrottlePolicy, freeAttempts: 10 };

const signInCookieMaxAgeSeconds = 60 * 60;

function throttleKeys(kind: Kind, userName: string, address: string) {
  return {
    account: `${kind}:${userName.trim().toLowerCase()}`,
    address: `address:${address}`,
  };
}

function sendForm(
  reply: FastifyReply,
  kind: Kind,
  status: number,
  extra: { userName?: string; flash?: Flash } = {},
): FastifyReply {
  const csrfToken = newCsrfToken();
  void reply.setCookie(signInCookieName, csrfToken, cookieOptions(signInCookieMaxAgeSeconds));
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(renderSignIn({ kind, csrfToken, ...extra }));
}

async function currentWait(context: PanelContext, keys: ReturnType<typeof throttleKeys>) {
  const now = context.clock.now();
  const [account, address] = await Promise.all([
    context.throttle.get(keys.account),
    context.throttle.get(keys.address),
  ]);
  return Math.max(secondsToWait(account, now), secondsToWait(address, now, addressPolicy));
}

async function recordFailure(context: PanelContext, keys: ReturnType<typeof throttleKeys>) {
  const forgetMs = defaultThrottlePolicy.forgetAfterSeconds * 1000;
  const [account, address] = await Promise.all([
    context.throttle.recordFailure(keys.account, forgetMs),
    context.throttle.recordFailure(keys.address, forgetMs),
  ]);
  const now = context.clock.now();
  return Math.max(secondsToWait(account, now), secondsToWait(address, now, addressPolicy));
}

function waitText(seconds: number): string {
  return `Too many failed sign-ins. Wait ${seconds} ${seconds === 1 ? 'second' : 'seconds'} before you try again.`;
}

async function verify(
  context: PanelContext,
  kind: Kind,
  userName: string,
  password: string,
): Promise<Operator | TenantAdmin | null> {
  return kind === 'operator'
    ? context.service.operators.verifyPassword(userName, password)
    : context.service.admins.verifyPassword(userName, password);
}

async function startSession(
  context: PanelContext,
  reply: FastifyReply,
  kind: Kind,
  subject: Operator | TenantAdmin,
): Promise<FastifyReply> {
  const tenantId = 'tenantId' in subject ? subject.tenantId : null;
  const { token } = await context.service.sessions.create({
    subjectKind: kind,
    subjectId: subject.id,
    tenantId,
    ttlMs: context.sessionTtlMs,
  });
  void reply.setCookie(sessionCookieName, token, cookieOptions(context.sessionTtlMs / 1000));
  void reply.clearCookie(signInCookieName, cookieOptions(0));
  const home = kind === 'operator' ? '/operator/tenants' : '/domains';
  return reply.redirect(panelUrl(home), 303);
}

async function handleSignIn(
  context: PanelContext,
  kind: Kind,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const userName = formText(request, 'username') ?? '';
  const password = formText(request, 'password') ?? '';
  const cookieToken = request.cookies[signInCookieName] ?? '';
  if (cookieToken === '' || !csrfTokenMatches(cookieToken, formText(request, csrfFieldName))) {
    const flash = {
      kind: 'error',
      text: 'The sign-in form expired. Enter your password again.',
    } as const;
    request.errorCode = 'UP_PANEL_CSRF_INVALID';
    return sendForm(reply, kind, 403, { userName, flash });
  }

  const keys = throttleKeys(kind, userName, request.ip);
  const wait = await currentWait(context, keys);
  if (wait > 0) {
    request.errorCode = 'UP_PANEL_SIGN_IN_THROTTLED';
    void reply.header('retry-after', String(wait));
    return sendForm(reply, kind, 429, { userName, flash: { kind: 'error', text: waitText(wait) } });
  }

  const subject =
    userName === '' || password === '' ? null : await verify(context, kind, userName, password);
  if (subject === null) {
    const nextWait = await recordFailure(context, keys);
    request.errorCode = 'UP_PANEL_SIGN_IN_FAILED';
    const text = html`User name or password is
    incorrect.${nextWait > 0 ? ` ${waitText(nextWait)}` : ''}`;
    if (nextWait > 0) void reply.header('retry-after', String(nextWait));
    return sendForm(reply, kind, 401, { userName, flash: { kind: 'error', text } });
  }

  await context.throttle.clear(keys.account);
  return startSession(context, reply, kind, subject);
}

export function registerSignInRoutes(app: FastifyInstance, context: PanelContext): void {
  for (const kind of ['admin', 'operator'] as const) {
    const path = kind === 'operator' ? '/operator/sign-in' : '/sign-in';
    app.get(path, (_request, reply) => sendForm(reply, kind, 200));
    app.post(path, (request, reply) => handleSignIn(context, kind, request, reply));
  }

  app.post('/sign-out', async (request, reply) => {
    const auth = request.panelAuth;
    if (auth !== null) await context.service.sessions.delete(auth.token);
    void reply.clearCookie(sessionCookieName, cookieOptions(0));
    const kind = auth?.session.subjectKind ?? 'admin';
    return reply.redirect(panelUrl(kind === 'operator' ? '/operator/sign-in' : '/sign-in'), 303);
  });

  app.get('/', (request, reply) => {
    const kind = request.panelAuth?.session.subjectKind;
    if (kind === 'operator') return reply.redirect(panelUrl('/operator/tenants'), 303);
    if (kind === 'admin') return reply.redirect(panelUrl('/domains'), 303);
    return reply.redirect(panelUrl('/sign-in'), 303);
  });
}
