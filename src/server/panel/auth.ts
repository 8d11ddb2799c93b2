/**
 * Who is signed in to the panel: reads the session cookie, loads the session from the store and
 * checks the CSRF token of every POST. Sessions live in the store, so any instance serves them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, Session } from '../../hosted/index.ts';
import { UserPilotError } from '../../protocol/errors.ts';
import type { PanelContext } from './context.ts';
import { csrfFieldName, csrfTokenMatches } from './csrf.ts';
import type { LayoutViewer } from './layout.ts';
import { csrfTokenOfSession, sessionCookieName } from './session-cookie.ts';

export interface PanelAuth {
  token: string;
  session: Session;
  viewer: LayoutViewer;
  actor: Actor;
}

/** A signed-in tenant admin, with the tenant every route of the request acts on. */
export interface AdminAuth extends PanelAuth {
  tenantId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the panel's session hook; null when the request has no valid session. */
    panelAuth: PanelAuth | null;
  }
}

async function viewerOf(
  context: PanelContext,
  session: Session,
  token: string,
): Promise<LayoutViewer | null> {
  const csrfToken = csrfTokenOfSession(token);
  if (session.subjectKind === 'operator') {
    const operators = await context.service.operators.list();
    const operator = operators.find((candidate) => candidate.id === session.subjectId);
    return operator === undefined
      ? null
      : { kind: 'operator', userName: operator.username, csrfToken };
  }
  if (session.tenantId === null) return null;
  const [tenant, admins] = await Promise.all([
    context.service.tenants.get(session.tenantId),
    context.service.admins.list(session.tenantId),
  ]);
  const admin = admins.find((candidate) => candidate.id === session.subjectId);
  if (tenant === null || admin === undefined) return null;
  return { kind: 'admin', userName: admin.username, tenantName: tenant.name, csrfToken };
}

/** Loads the request's session into `request.panelAuth`; a fastify onRequest-style hook. */
export async function loadPanelAuth(context: PanelContext, request: FastifyRequest): Promise<void> {
  const token = request.cookies[sessionCookieName];
  if (token === undefined || token === '') return;
  const session = await context.service.sessions.get(token);
  if (session === null) return;
  const viewer = await viewerOf(context, session, token);
  if (viewer === null) return;
  const actor: Actor = { kind: session.subjectKind, id: session.subjectId };
  request.panelAuth = { token, session, viewer, actor };
}

function sessionRequired(): UserPilotError {
  return new UserPilotError(
    'UP_PANEL_SESSION_REQUIRED',
    'You are not signed in, or your session has ended.',
    {
      hint: 'Sign in again.',
    },
  );
}

/** Returns the signed-in tenant admin, or throws when the request has no admin session. */
export function requireAdmin(request: FastifyRequest): AdminAuth {
  const auth = request.panelAuth;
  if (auth === null) throw sessionRequired();
  const tenantId = auth.session.tenantId;
  if (auth.session.subjectKind !== 'admin' || tenantId === null) {
    throw new UserPilotError('UP_PANEL_FORBIDDEN', 'This page is for tenant admins.', {
      hint: 'Sign in with a tenant admin account.',
    });
  }
  return { ...auth, tenantId };
}

/** Returns the signed-in provider operator, or throws when the request has none. */
export function requireOperator(request: FastifyRequest): PanelAuth {
  const auth = request.panelAuth;
  if (auth === null) throw sessionRequired();
  if (auth.session.subjectKind !== 'operator') {
    throw new UserPilotError('UP_PANEL_FORBIDDEN', 'This page is for provider operators.', {
      hint: 'Sign in on the provider operator sign-in page.',
    });
  }
  return auth;
}

/** The value of one form field as text; a repeated field yields its first value. */
export function formText(request: FastifyRequest, name: string): string | undefined {
  const body = request.body as Record<string, unknown> | undefined | null;
  const value = body?.[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a repeated form field (checkboxes). */
export function formList(request: FastifyRequest, name: string): string[] {
  const body = request.body as Record<string, unknown> | undefined | null;
  const value = body?.[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

/**
 * Rejects a POST whose CSRF field does not match the session's token. Runs before the route's
 * handler on every POST except the sign-in forms, which check their own cookie.
 */
export function checkCsrf(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const auth = request.panelAuth;
  if (auth === null) return Promise.reject(sessionRequired());
  const expected = csrfTokenOfSession(auth.token);
  if (!csrfTokenMatches(expected, formText(request, csrfFieldName))) {
    return Promise.reject(
      new UserPilotError(
        'UP_PANEL_CSRF_INVALID',
        'The form was rejected: its CSRF token is missing or wrong.',
        {
          hint: 'Reload the page and submit the form again.',
        },
      ),
    );
  }
  return Promise.resolve();
}
