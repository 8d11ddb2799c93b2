import type { FastifyInstance, FastifyReply } from 'fastify';
import { formText, requireOperator, type PanelAuth } from '../auth.ts';
import type { PanelContext } from '../context.ts';
import { flashOfError } from '../error-page.ts';
import { html } from '../html.ts';
import type { Flash } from '../layout.ts';
import { renderTenants } from '../views/tenants.ts';
import { attempt, sendPage } from './respond.ts';

async function sendTenants(
  context: PanelContext,
  reply: FastifyReply,
  auth: PanelAuth,
  extra: { flash?: Flash; draft?: { name: string; adminUser: string }; status?: number } = {},
): Promise<FastifyReply> {
  const tenants = await context.service.tenants.list();
  const { status, ...rest } = extra;
  return sendPage(reply, renderTenants({ viewer: auth.viewer, tenants, ...rest }), status);
}

export function registerOperatorRoutes(app: FastifyInstance, context: PanelContext): void {
  app.get('/operator/tenants', (request, reply) =>
    sendTenants(context, reply, requireOperator(request)),
  );

  // The tenant and its first admin are made in two calls. A rejected admin (a user name taken
  // in another tenant) therefore leaves the tenant without one, and the page reports that and
  // offers the "Add admin" form of the tenant's row.
  app.post('/operator/tenants', async (request, reply) => {
    const auth = requireOperator(request);
    const name = (formText(request, 'name') ?? '').trim();
    const adminUser = (formText(request, 'adminUser') ?? '').trim();
    const adminPassword = formText(request, 'adminPassword') ?? '';
    const draft = { name, adminUser };

    const tenant = await attempt(request, () =>
      context.service.tenants.create({ name }, auth.actor),
    );
    if (!tenant.ok) {
      const flash = flashOfError(tenant.error);
      return sendTenants(context, reply, auth, { flash, draft, status: tenant.error.status });
    }
    const admin = await attempt(request, () =>
      context.service.admins.create(
        tenant.value.id,
        { username: adminUser, password: adminPassword },
        auth.actor,
      ),
    );
    if (!admin.ok) {
      const text = html`Tenant ${name} was created, but its first admin was not:
      ${admin.error.message} Add an admin with the tenant's "Add admin" form below.`;
      return sendTenants(context, reply, auth, {
        flash: { kind: 'error', text },
        draft,
        status: admin.error.status,
      });
    }
    const text = html`Tenant ${tenant.value.name} created with admin ${admin.value.username}.`;
    return sendTenants(context, reply, auth, { flash: { kind: 'ok', text } });
  });

  app.post<{ Params: { id: string } }>('/operator/tenants/:id/admins', async (request, reply) => {
    const auth = requireOperator(request);
    const username = (formText(request, 'adminUser') ?? '').trim();
    const password = formText(request, 'adminPassword') ?? '';
    const admin = await attempt(request, () =>
      context.service.admins.create(request.params.id, { username, password }, auth.actor),
    );
    if (!admin.ok) {
      const flash = flashOfError(admin.error);
      return sendTenants(context, reply, auth, { flash, status: admin.error.status });
    }
    const text = html`Admin ${admin.value.username} added.`;
    return sendTenants(context, reply, auth, { flash: { kind: 'ok', text } });
  });
}
