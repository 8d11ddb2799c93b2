import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AutolinkResult, DirectoryObject, Mailbox } from '../../../hosted/index.ts';
import { formList, formText, requireAdmin, type AdminAuth } from '../auth.ts';
import type { PanelContext } from '../context.ts';
import { flashOfError } from '../error-page.ts';
import { html } from '../html.ts';
import type { Flash } from '../layout.ts';
import { renderAutolinkPreview } from '../views/autolink.ts';
import { renderUnlinked } from '../views/unlinked.ts';
import { attempt, sendPage } from './respond.ts';

/** Rows of each list on the Unlinked page. */
const listLimit = 200;

async function sendUnlinked(
  context: PanelContext,
  reply: FastifyReply,
  auth: AdminAuth,
  flash?: Flash,
  status = 200,
): Promise<FastifyReply> {
  const [objects, mailboxes] = await Promise.all([
    context.service.directory.list(auth.tenantId, {
      linked: false,
      state: 'present',
      limit: listLimit,
    }),
    context.service.mailboxes.list(auth.tenantId, { linked: false, limit: listLimit }),
  ]);
  const page = renderUnlinked({
    viewer: auth.viewer,
    objects: objects.items,
    objectsTotal: objects.total,
    mailboxes: mailboxes.items,
    mailboxesTotal: mailboxes.total,
    flash,
  });
  return sendPage(reply, page, status);
}

/** Loads the objects and mailboxes an Autolink result names, for the preview's descriptions. */
async function loadNamed(context: PanelContext, tenantId: string, result: AutolinkResult) {
  const anchors = new Set<string>();
  const mailboxIds = new Set<string>();
  for (const pair of result.pairs) {
    anchors.add(pair.anchor);
    mailboxIds.add(pair.mailboxId);
  }
  for (const ambiguity of result.ambiguities) {
    ambiguity.anchors.forEach((anchor) => anchors.add(anchor));
    ambiguity.mailboxIds.forEach((id) => mailboxIds.add(id));
  }
  const objects = new Map<string, DirectoryObject>();
  const mailboxes = new Map<string, Mailbox>();
  for (const anchor of anchors) {
    const object = await context.service.directory.get(tenantId, anchor);
    if (object !== null) objects.set(anchor, object);
  }
  for (const id of mailboxIds) {
    const mailbox = await context.service.mailboxes.get(tenantId, id);
    if (mailbox !== null) mailboxes.set(id, mailbox);
  }
  return { objects, mailboxes };
}

function countText(count: number, singular: string, plural: string): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

function registerLink(app: FastifyInstance, context: PanelContext): void {
  app.get('/userpilot/unlinked', async (request, reply) =>
    sendUnlinked(context, reply, requireAdmin(request)),
  );

  app.post('/userpilot/unlinked/link', async (request, reply) => {
    const auth = requireAdmin(request);
    const anchor = formText(request, 'anchor') ?? '';
    const address = (formText(request, 'mailbox') ?? '').trim();
    const mailbox = await context.service.mailboxes.getByAddress(auth.tenantId, address);
    if (mailbox === null) {
      request.errorCode = 'UP_PANEL_NOT_FOUND';
      const text = html`No mailbox has the address ${address}. Enter the UPN or an address of an
      unlinked mailbox.`;
      return sendUnlinked(context, reply, auth, { kind: 'error', text }, 404);
    }
    const result = await attempt(request, () =>
      context.service.links.link(auth.tenantId, anchor, mailbox.id, auth.actor),
    );
    if (!result.ok)
      return sendUnlinked(context, reply, auth, flashOfError(result.error), result.error.status);
    const linked = result.value;
    const text =
      linked.upn === mailbox.upn
        ? html`Mailbox ${mailbox.upn} linked.`
        : html`Mailbox ${mailbox.upn} linked; its UPN is now ${linked.upn}, as in the local AD.`;
    return sendUnlinked(context, reply, auth, { kind: 'ok', text });
  });
}

function registerAutolink(app: FastifyInstance, context: PanelContext): void {
  app.get('/userpilot/unlinked/autolink', async (request, reply) => {
    const auth = requireAdmin(request);
    const preview = await context.service.links.previewAutolink(auth.tenantId);
    const named = await loadNamed(context, auth.tenantId, preview);
    return sendPage(reply, renderAutolinkPreview({ viewer: auth.viewer, preview, ...named }));
  });

  app.post('/userpilot/unlinked/autolink', async (request, reply) => {
    const auth = requireAdmin(request);
    const result = await context.service.links.applyAutolink(auth.tenantId, auth.actor);
    const linked = countText(result.pairs.length, 'pair', 'pairs');
    const left = countText(result.ambiguities.length, 'ambiguous match', 'ambiguous matches');
    const text = `Autolink linked ${linked}; ${left} left unlinked.`;
    return sendUnlinked(context, reply, auth, { kind: 'ok', text });
  });
}

function registerAutocreate(app: FastifyInstance, context: PanelContext): void {
  app.post('/userpilot/unlinked/autocreate', async (request, reply) => {
    const auth = requireAdmin(request);
    const anchors = formText(request, 'scope') === 'all' ? 'all' : formList(request, 'anchor');
    if (anchors !== 'all' && anchors.length === 0) {
      const flash = { kind: 'error', text: 'Select at least one directory object first.' } as const;
      request.errorCode = 'UP_PANEL_FORM_INVALID';
      return sendUnlinked(context, reply, auth, flash, 400);
    }
    const result = await context.service.links.autocreate(auth.tenantId, anchors, auth.actor);
    const skipped = result.skipped.map((skip) => html`<li>${skip.anchor}: ${skip.message}</li>`);
    const text = html`Autocreate made
    ${countText(result.created.length, 'mailbox', 'mailboxes')}${
      skipped.length === 0
        ? '.'
        : html`; skipped ${skipped.length}:
            <ul>
              ${skipped}
            </ul>`
    }`;
    return sendUnlinked(context, reply, auth, {
      kind: skipped.length === 0 ? 'ok' : 'error',
      text,
    });
  });
}

export function registerUnlinkedRoutes(app: FastifyInstance, context: PanelContext): void {
  registerLink(app, context);
  registerAutolink(app, context);
  registerAutocreate(app, context);
}
