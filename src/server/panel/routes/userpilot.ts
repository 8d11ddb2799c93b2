import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Run, TenantPolicies } from '../../../hosted/index.ts';
import { UserPilotError } from '../../../protocol/errors.ts';
import { formText, requireAdmin, type AdminAuth } from '../auth.ts';
import type { PanelContext } from '../context.ts';
import { flashOfError } from '../error-page.ts';
import { html } from '../html.ts';
import type { Flash } from '../layout.ts';
import { renderAgents, silentAfterMs, type AgentRow } from '../views/agents.ts';
import { renderInstructions } from '../views/instructions.ts';
import { renderSettings } from '../views/settings.ts';
import { registerRecordRoutes } from './records.ts';
import { attempt, sendPage } from './respond.ts';

/** Runs read to find each agent's last one; older runs are not shown. */
const recentRunLimit = 200;

/** Mailboxes read to find the soft-deleted ones for the restore list. */
const deletedScanLimit = 500;

/** Returns the public base URL: the configured one, or the scheme and Host of this request. */
export function serviceUrlOf(context: PanelContext, request: FastifyRequest): string {
  return context.serviceUrl ?? `https://${request.host}`;
}

function certificateFingerprintOf(context: PanelContext, request: FastifyRequest): string | null {
  if (context.certificateFingerprint !== undefined) return context.certificateFingerprint;
  const socket = request.raw.socket as Partial<TLSSocket>;
  const certificate = socket.getCertificate?.();
  if (certificate === null || certificate === undefined || !('fingerprint256' in certificate)) {
    return null;
  }
  return certificate.fingerprint256;
}

function registerInstructions(app: FastifyInstance, context: PanelContext): void {
  const send = async (request: FastifyRequest, reply: FastifyReply, newPassword?: string) => {
    const auth = requireAdmin(request);
    const tenant = await context.service.tenants.get(auth.tenantId);
    const page = renderInstructions({
      viewer: auth.viewer,
      serviceUrl: serviceUrlOf(context, request),
      installUser: tenant?.agentInstallUser ?? null,
      certificateFingerprint: certificateFingerprintOf(context, request),
      ...(newPassword === undefined ? {} : { newInstallPassword: newPassword }),
    });
    return sendPage(reply, page);
  };

  app.get('/userpilot/instructions', (request, reply) => send(request, reply));

  app.post('/userpilot/instructions/install-password', async (request, reply) => {
    const auth = requireAdmin(request);
    const tenant = await context.service.tenants.get(auth.tenantId);
    const credentials =
      tenant?.agentInstallUser == null
        ? await context.service.agents.createInstallCredentials(auth.tenantId, auth.actor)
        : await context.service.agents.rotateInstallPassword(auth.tenantId, auth.actor);
    return send(request, reply, credentials.password);
  });
}

function integerField(request: FastifyRequest, name: string, label: string): number {
  const text = (formText(request, name) ?? '').trim();
  const value = Number(text);
  if (text === '' || !Number.isInteger(value)) {
    throw new UserPilotError(
      'UP_PANEL_FORM_INVALID',
      `${label} must be a whole number; got "${text}".`,
      {
        hint: 'Correct the field and save again.',
        details: { field: name },
      },
    );
  }
  return value;
}

function policiesFromForm(request: FastifyRequest): Partial<TenantPolicies> {
  const leaveScope = formText(request, 'leaveScope');
  if (leaveScope !== 'disable' && leaveScope !== 'soft-delete') {
    throw new UserPilotError(
      'UP_PANEL_FORM_INVALID',
      'Choose what happens when a user leaves the sync scope.',
      {
        details: { field: 'leaveScope' },
      },
    );
  }
  return {
    leaveScope,
    softDeleteRetentionDays: integerField(request, 'softDeleteRetentionDays', 'Retention'),
    removalGuardMax: integerField(request, 'removalGuardMax', 'Maximum objects'),
    removalGuardPercent: integerField(request, 'removalGuardPercent', 'Maximum percentage'),
    autolink: formText(request, 'autolink') === 'on',
    autocreate: formText(request, 'autocreate') === 'on',
    passwordMinLength: integerField(request, 'passwordMinLength', 'Minimum password length'),
  };
}

async function sendSettings(
  context: PanelContext,
  reply: FastifyReply,
  auth: AdminAuth,
  flash?: Flash,
  status = 200,
): Promise<FastifyReply> {
  // NOTE: only the first 500 soft-deleted mailboxes (by UPN) are offered for restore.
  const [policies, mailboxes] = await Promise.all([
    context.service.policies.get(auth.tenantId),
    context.service.mailboxes.list(auth.tenantId, { deleted: true, limit: deletedScanLimit }),
  ]);
  const deleted = mailboxes.items;
  return sendPage(reply, renderSettings({ viewer: auth.viewer, policies, deleted, flash }), status);
}

function registerSettings(app: FastifyInstance, context: PanelContext): void {
  app.get('/userpilot/settings', (request, reply) =>
    sendSettings(context, reply, requireAdmin(request)),
  );

  app.post('/userpilot/settings', async (request, reply) => {
    const auth = requireAdmin(request);
    const result = await attempt(request, async () =>
      context.service.policies.update(auth.tenantId, policiesFromForm(request), auth.actor),
    );
    if (!result.ok)
      return sendSettings(context, reply, auth, flashOfError(result.error), result.error.status);
    return sendSettings(context, reply, auth, { kind: 'ok', text: 'Settings saved.' });
  });

  app.post<{ Params: { id: string } }>(
    '/userpilot/settings/restore/:id',
    async (request, reply) => {
      const auth = requireAdmin(request);
      const result = await attempt(request, () =>
        context.service.mailboxes.restore(auth.tenantId, request.params.id, auth.actor),
      );
      if (!result.ok)
        return sendSettings(context, reply, auth, flashOfError(result.error), result.error.status);
      const text = html`Mailbox ${result.value.upn} restored.`;
      return sendSettings(context, reply, auth, { kind: 'ok', text });
    },
  );
}

function lastRunByAgent(runs: Run[]): Map<string, Run> {
  const last = new Map<string, Run>();
  for (const run of runs) {
    const seen = last.get(run.agentId);
    if (seen === undefined || seen.startedAt < run.startedAt) last.set(run.agentId, run);
  }
  return last;
}

function registerAgents(app: FastifyInstance, context: PanelContext): void {
  app.get('/userpilot/agents', async (request, reply) => {
    const auth = requireAdmin(request);
    const [agents, runs] = await Promise.all([
      context.service.agents.list(auth.tenantId),
      context.service.runs.list(auth.tenantId, recentRunLimit),
    ]);
    const lastRuns = lastRunByAgent(runs);
    const now = context.clock.now().getTime();
    const rows: AgentRow[] = agents.map((agent) => ({
      agent,
      lastRun: lastRuns.get(agent.id),
      silent:
        agent.lastHeartbeatAt === null ||
        now - new Date(agent.lastHeartbeatAt).getTime() > silentAfterMs,
    }));
    return sendPage(reply, renderAgents({ viewer: auth.viewer, rows }));
  });
}

export function registerUserPilotRoutes(app: FastifyInstance, context: PanelContext): void {
  registerInstructions(app, context);
  registerSettings(app, context);
  registerAgents(app, context);
  registerRecordRoutes(app, context);
}
