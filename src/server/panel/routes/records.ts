/** Pending removals, the activity log and SCIM tokens of the UserPilot section. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ActivityQuery } from '../../../hosted/index.ts';
import { formList, formText, requireAdmin, type AdminAuth } from '../auth.ts';
import type { PanelContext } from '../context.ts';
import { flashOfError } from '../error-page.ts';
import type { Flash } from '../layout.ts';
import { renderActivity, type ActivityFilters } from '../views/activity.ts';
import { renderRemovals } from '../views/removals.ts';
import { renderScimTokens } from '../views/scim-tokens.ts';
import { attempt, sendPage } from './respond.ts';
import { serviceUrlOf } from './userpilot.ts';

const activityPageSize = 100;

async function sendRemovals(
  context: PanelContext,
  reply: FastifyReply,
  auth: AdminAuth,
  flash?: Flash,
  status = 200,
): Promise<FastifyReply> {
  const removals = await context.service.removals.listPending(auth.tenantId);
  return sendPage(reply, renderRemovals({ viewer: auth.viewer, removals, flash }), status);
}

function registerRemovals(app: FastifyInstance, context: PanelContext): void {
  app.get('/userpilot/removals', (request, reply) =>
    sendRemovals(context, reply, requireAdmin(request)),
  );

  app.post('/userpilot/removals', async (request, reply) => {
    const auth = requireAdmin(request);
    const ids = formText(request, 'scope') === 'all' ? 'all' : formList(request, 'id');
    if (ids !== 'all' && ids.length === 0) {
      const flash = { kind: 'error', text: 'Select at least one held removal first.' } as const;
      request.errorCode = 'UP_PANEL_FORM_INVALID';
      return sendRemovals(context, reply, auth, flash, 400);
    }
    const approve = formText(request, 'decision') === 'approve';
    const result = await attempt(request, async () => {
      if (approve) {
        const { removed } = await context.service.removals.approve(auth.tenantId, ids, auth.actor);
        return removed === 1
          ? '1 removal approved and applied.'
          : `${removed} removals approved and applied.`;
      }
      const { rejected } = await context.service.removals.reject(auth.tenantId, ids, auth.actor);
      return rejected === 1
        ? '1 removal rejected; the object stays.'
        : `${rejected} removals rejected; the objects stay.`;
    });
    if (!result.ok)
      return sendRemovals(context, reply, auth, flashOfError(result.error), result.error.status);
    return sendRemovals(context, reply, auth, { kind: 'ok', text: result.value });
  });
}

/** Reads a `datetime-local` value as UTC; undefined when empty or malformed. */
function parseLocalTime(value: string): number | undefined {
  if (value === '') return undefined;
  const time = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`).getTime();
  return Number.isNaN(time) ? undefined : time;
}

/**
 * Returns the actor texts the typed actor filter names: each known actor whose text or name
 * contains it (case-insensitively), `system` when it contains it, and the typed text itself.
 */
function matchingActors(filter: string, actorNames: Map<string, string>): string[] {
  const typed = filter.toLowerCase();
  const known = [...actorNames].filter(([text, name]) =>
    `${text} ${name}`.toLowerCase().includes(typed),
  );
  const actors = new Set(known.map(([text]) => text));
  if ('system'.includes(typed)) actors.add('system');
  actors.add(filter);
  return [...actors];
}

/** Builds the service's activity query from the page's filters. */
function activityQuery(
  filters: ActivityFilters,
  cursor: string,
  actorNames: Map<string, string>,
): ActivityQuery {
  const since = parseLocalTime(filters.since);
  const until = parseLocalTime(filters.until);
  return {
    limit: activityPageSize,
    ...(cursor === '' ? {} : { cursor }),
    ...(filters.objectType === '' ? {} : { objectType: filters.objectType }),
    ...(filters.objectId === '' ? {} : { objectId: filters.objectId }),
    ...(filters.actor === '' ? {} : { actor: matchingActors(filters.actor, actorNames) }),
    ...(since === undefined ? {} : { since: new Date(since).toISOString() }),
    ...(until === undefined ? {} : { until: new Date(until).toISOString() }),
  };
}

/** Names the tenant's admins, agents and SCIM tokens and the operators, by their log text. */
async function loadActorNames(
  context: PanelContext,
  tenantId: string,
): Promise<Map<string, string>> {
  const [admins, agents, tokens, operators] = await Promise.all([
    context.service.admins.list(tenantId),
    context.service.agents.list(tenantId),
    context.service.scimTokens.list(tenantId),
    context.service.operators.list(),
  ]);
  return new Map([
    ...admins.map((admin) => [`admin:${admin.id}`, `admin ${admin.username}`] as const),
    ...agents.map((agent) => [`agent:${agent.id}`, `agent on ${agent.dc}`] as const),
    ...tokens.map((token) => [`scim:${token.id}`, `SCIM token ${token.label}`] as const),
    ...operators.map(
      (operator) => [`operator:${operator.id}`, `operator ${operator.username}`] as const,
    ),
  ]);
}

type ActivityQuerystring = Partial<Record<keyof ActivityFilters | 'cursor', string>>;

function registerActivity(app: FastifyInstance, context: PanelContext): void {
  app.get<{ Querystring: ActivityQuerystring }>('/userpilot/activity', async (request, reply) => {
    const auth = requireAdmin(request);
    const query = request.query;
    const filters: ActivityFilters = {
      objectType: (query.objectType ?? '').trim(),
      objectId: (query.objectId ?? '').trim(),
      actor: (query.actor ?? '').trim(),
      since: (query.since ?? '').trim(),
      until: (query.until ?? '').trim(),
    };
    const cursor = query.cursor ?? '';
    const actorNames = await loadActorNames(context, auth.tenantId);
    const page = await context.service.activity.list(
      auth.tenantId,
      activityQuery(filters, cursor, actorNames),
    );
    const entries = page.items;
    const view = {
      viewer: auth.viewer,
      filters,
      entries,
      actorNames,
      nextCursor: page.nextCursor,
      cursor,
    };
    return sendPage(reply, renderActivity(view));
  });
}

function registerScimTokens(app: FastifyInstance, context: PanelContext): void {
  const send = async (
    reply: FastifyReply,
    auth: AdminAuth,
    serviceUrl: string,
    extra: { flash?: Flash; newToken?: { token: string; label: string }; status?: number } = {},
  ) => {
    const tokens = await context.service.scimTokens.list(auth.tenantId);
    const { status, ...rest } = extra;
    return sendPage(
      reply,
      renderScimTokens({ viewer: auth.viewer, tokens, serviceUrl, ...rest }),
      status,
    );
  };

  app.get('/userpilot/scim-tokens', (request, reply) =>
    send(reply, requireAdmin(request), serviceUrlOf(context, request)),
  );

  app.post('/userpilot/scim-tokens', async (request, reply) => {
    const auth = requireAdmin(request);
    const label = (formText(request, 'label') ?? '').trim();
    const serviceUrl = serviceUrlOf(context, request);
    const result = await attempt(request, () =>
      context.service.scimTokens.create(auth.tenantId, label, auth.actor),
    );
    if (!result.ok) {
      return send(reply, auth, serviceUrl, {
        flash: flashOfError(result.error),
        status: result.error.status,
      });
    }
    return send(reply, auth, serviceUrl, {
      newToken: { token: result.value.token, label: result.value.info.label },
    });
  });

  app.post<{ Params: { id: string } }>(
    '/userpilot/scim-tokens/:id/revoke',
    async (request, reply) => {
      const auth = requireAdmin(request);
      const serviceUrl = serviceUrlOf(context, request);
      const result = await attempt(request, () =>
        context.service.scimTokens.revoke(auth.tenantId, request.params.id, auth.actor),
      );
      if (!result.ok) {
        return send(reply, auth, serviceUrl, {
          flash: flashOfError(result.error),
          status: result.error.status,
        });
      }
      return send(reply, auth, serviceUrl, { flash: { kind: 'ok', text: 'Token revoked.' } });
    },
  );
}

export function registerRecordRoutes(app: FastifyInstance, context: PanelContext): void {
  registerRemovals(app, context);
  registerActivity(app, context);
  registerScimTokens(app, context);
}
