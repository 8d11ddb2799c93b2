import type { FastifyInstance } from 'fastify';
import { formText, requireAdmin, type AdminAuth } from '../auth.ts';
import type { PanelContext } from '../context.ts';
import { flashOfError } from '../error-page.ts';
import { html } from '../html.ts';
import type { Flash } from '../layout.ts';
import { renderDomains } from '../views/domains.ts';
import { attempt, sendPage } from './respond.ts';

async function renderFor(
  context: PanelContext,
  auth: AdminAuth,
  extra: { flash?: Flash; draft?: string } = {},
): Promise<string> {
  const domains = await context.service.domains.list(auth.tenantId);
  return renderDomains({ viewer: auth.viewer, domains, ...extra });
}

function eligibleText(count: number): string {
  if (count === 0) return 'No waiting directory user became eligible.';
  return count === 1
    ? '1 waiting directory user became eligible.'
    : `${count} waiting directory users became eligible.`;
}

export function registerDomainRoutes(app: FastifyInstance, context: PanelContext): void {
  app.get('/domains', async (request, reply) => {
    const auth = requireAdmin(request);
    return sendPage(reply, await renderFor(context, auth));
  });

  app.post('/domains', async (request, reply) => {
    const auth = requireAdmin(request);
    const name = (formText(request, 'name') ?? '').trim();
    const result = await attempt(request, () =>
      context.service.domains.register(auth.tenantId, name, auth.actor),
    );
    if (!result.ok) {
      const page = await renderFor(context, auth, {
        flash: flashOfError(result.error),
        draft: name,
      });
      return sendPage(reply, page, result.error.status);
    }
    const { domain, newlyEligible } = result.value;
    const text = html`Domain ${domain.name} added. ${eligibleText(newlyEligible)}`;
    return sendPage(reply, await renderFor(context, auth, { flash: { kind: 'ok', text } }));
  });

  app.post<{ Params: { id: string } }>('/domains/:id/remove', async (request, reply) => {
    const auth = requireAdmin(request);
    const result = await attempt(request, () =>
      context.service.domains.remove(auth.tenantId, request.params.id, auth.actor),
    );
    if (!result.ok) {
      const page = await renderFor(context, auth, { flash: flashOfError(result.error) });
      return sendPage(reply, page, result.error.status);
    }
    const count = result.value.newlyIneligible;
    const text = `Domain removed. ${count} directory ${count === 1 ? 'user is' : 'users are'} no longer eligible.`;
    return sendPage(reply, await renderFor(context, auth, { flash: { kind: 'ok', text } }));
  });
}
