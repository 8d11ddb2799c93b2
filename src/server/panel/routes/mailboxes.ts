import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Mailbox } from '../../../hosted/index.ts';
import { UserPilotError } from '../../../protocol/errors.ts';
import { requireAdmin, type AdminAuth } from '../auth.ts';
import type { PanelContext } from '../context.ts';
import { flashOfError } from '../error-page.ts';
import { html } from '../html.ts';
import type { Flash } from '../layout.ts';
import { renderMailboxList } from '../views/mailboxes.ts';
import { draftOf, renderMailboxForm, type MailboxDraft } from '../views/mailbox-form.ts';
import { draftFromForm, mailboxInputFromForm, mailboxPatchFromForm } from './mailbox-form-input.ts';
import { attempt, sendPage } from './respond.ts';

/** Rows per page of the mailbox list. */
const pageSize = 50;

/** Maximum length of the search text passed on; longer input is cut, since no address is longer. */
const maxSearchLength = 256;

type IdParams = { Params: { id: string } };

async function loadMailbox(context: PanelContext, auth: AdminAuth, id: string): Promise<Mailbox> {
  const mailbox = await context.service.mailboxes.get(auth.tenantId, id);
  if (mailbox === null || mailbox.deletedAt !== null) {
    throw new UserPilotError('UP_PANEL_NOT_FOUND', 'No mailbox of this organization has this id.', {
      hint: 'Pick the mailbox again from the Mailboxes list.',
    });
  }
  return mailbox;
}

async function sendForm(
  context: PanelContext,
  reply: FastifyReply,
  auth: AdminAuth,
  options: { mailbox?: Mailbox; draft?: MailboxDraft; flash?: Flash; status?: number },
): Promise<FastifyReply> {
  const mailbox = options.mailbox;
  const linkedObject =
    mailbox?.linkedAnchor == null
      ? undefined
      : ((await context.service.directory.get(auth.tenantId, mailbox.linkedAnchor)) ?? undefined);
  const page = renderMailboxForm({
    viewer: auth.viewer,
    draft: options.draft ?? draftOf(mailbox),
    flash: options.flash,
    linkedObject,
    ...(mailbox === undefined ? {} : { mailbox }),
  });
  return sendPage(reply, page, options.status ?? 200);
}

function registerList(app: FastifyInstance, context: PanelContext): void {
  app.get<{ Querystring: { q?: string; cursor?: string } }>(
    '/mailboxes',
    async (request, reply) => {
      const auth = requireAdmin(request);
      const search = (request.query.q ?? '').trim().slice(0, maxSearchLength);
      const cursor = request.query.cursor ?? '';
      const page = await context.service.mailboxes.list(auth.tenantId, {
        limit: pageSize,
        ...(search === '' ? {} : { search }),
        ...(cursor === '' ? {} : { cursor }),
      });
      return sendPage(reply, renderMailboxList({ viewer: auth.viewer, page, search, cursor }));
    },
  );
}

function registerCreate(app: FastifyInstance, context: PanelContext): void {
  app.get('/mailboxes/new', async (request, reply) =>
    sendForm(context, reply, requireAdmin(request), {}),
  );

  app.post('/mailboxes', async (request, reply) => {
    const auth = requireAdmin(request);
    const result = await attempt(request, () =>
      context.service.mailboxes.create(auth.tenantId, mailboxInputFromForm(request), auth.actor),
    );
    if (!result.ok) {
      const draft = draftFromForm(request, draftOf(undefined));
      const flash = flashOfError(result.error);
      return sendForm(context, reply, auth, { draft, flash, status: result.error.status });
    }
    const flash = { kind: 'ok', text: html`Mailbox ${result.value.upn} created.` } as const;
    return sendForm(context, reply, auth, { mailbox: result.value, flash });
  });
}

function registerEdit(app: FastifyInstance, context: PanelContext): void {
  app.get<IdParams>('/mailboxes/:id', async (request, reply) => {
    const auth = requireAdmin(request);
    const mailbox = await loadMailbox(context, auth, request.params.id);
    return sendForm(context, reply, auth, { mailbox });
  });

  // Whatever the form sends goes to the domain rules. They reject any change of a synchronized
  // field of a linked mailbox, and the page shows that rejection.
  app.post<IdParams>('/mailboxes/:id', async (request, reply) => {
    const auth = requireAdmin(request);
    const mailbox = await loadMailbox(context, auth, request.params.id);
    const patch = mailboxPatchFromForm(request, mailbox);
    if (Object.keys(patch).length === 0) {
      const flash = { kind: 'ok', text: 'Nothing changed.' } as const;
      return sendForm(context, reply, auth, { mailbox, flash });
    }
    const result = await attempt(request, () =>
      context.service.mailboxes.update(auth.tenantId, mailbox.id, patch, auth.actor),
    );
    if (!result.ok) {
      const draft =
        mailbox.linkedAnchor === null ? draftFromForm(request, draftOf(mailbox)) : undefined;
      const flash = flashOfError(result.error);
      return sendForm(context, reply, auth, {
        mailbox,
        flash,
        status: result.error.status,
        ...(draft === undefined ? {} : { draft }),
      });
    }
    const flash = { kind: 'ok', text: 'Mailbox saved.' } as const;
    return sendForm(context, reply, auth, { mailbox: result.value, flash });
  });

  app.post<IdParams>('/mailboxes/:id/unlink', async (request, reply) => {
    const auth = requireAdmin(request);
    const mailbox = await loadMailbox(context, auth, request.params.id);
    const result = await attempt(request, () =>
      context.service.links.unlink(auth.tenantId, mailbox.id, auth.actor),
    );
    if (!result.ok) {
      const flash = flashOfError(result.error);
      return sendForm(context, reply, auth, { mailbox, flash, status: result.error.status });
    }
    const flash = {
      kind: 'ok',
      text: 'Mailbox unlinked. It keeps its values and its last synchronized password.',
    } as const;
    return sendForm(context, reply, auth, { mailbox: result.value, flash });
  });
}

export function registerMailboxRoutes(app: FastifyInstance, context: PanelContext): void {
  registerList(app, context);
  registerCreate(app, context);
  registerEdit(app, context);
}
