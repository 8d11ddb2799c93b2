import type { AutolinkResult, DirectoryObject, Mailbox } from '../../../hosted/types.ts';
import { csrfField, panelUrl, renderPage, type LayoutViewer } from '../layout.ts';
import { html, type Html } from '../html.ts';
import { renderTable } from './common.ts';

export interface AutolinkPreviewView {
  viewer: LayoutViewer;
  preview: AutolinkResult;
  /** The objects and mailboxes the preview names, by anchor and by id. */
  objects: Map<string, DirectoryObject>;
  mailboxes: Map<string, Mailbox>;
}

const byLabel = { upn: 'UPN', displayName: 'display name' } as const;

function describeObject(view: AutolinkPreviewView, anchor: string): Html {
  const object = view.objects.get(anchor);
  if (object === undefined) return html`<code>${anchor}</code>`;
  return html`${object.record.displayName ?? ''}
    <span class="muted">${object.record.userPrincipalName ?? ''}</span>`;
}

function describeMailbox(view: AutolinkPreviewView, id: string): Html {
  const mailbox = view.mailboxes.get(id);
  if (mailbox === undefined) return html`<code>${id}</code>`;
  return html`${mailbox.displayName ?? ''} <span class="muted">${mailbox.upn}</span>`;
}

function renderAmbiguities(view: AutolinkPreviewView): Html {
  const rows = view.preview.ambiguities.map(
    (ambiguity) =>
      html`<tr>
        <td>${byLabel[ambiguity.by]} <strong>${ambiguity.value}</strong></td>
        <td>
          <ul>
            ${ambiguity.anchors.map((anchor) => html`<li>${describeObject(view, anchor)}</li>`)}
          </ul>
        </td>
        <td>
          <ul>
            ${ambiguity.mailboxIds.map((id) => html`<li>${describeMailbox(view, id)}</li>`)}
          </ul>
        </td>
      </tr>`,
  );
  return renderTable(
    ['Matched by', 'Directory objects', 'Mailboxes'],
    rows,
    'No ambiguous matches.',
  );
}

export function renderAutolinkPreview(view: AutolinkPreviewView): string {
  const pairs = view.preview.pairs;
  const rows = pairs.map(
    (pair) =>
      html`<tr>
        <td>${describeObject(view, pair.anchor)}</td>
        <td>${describeMailbox(view, pair.mailboxId)}</td>
        <td>${byLabel[pair.by]}</td>
      </tr>`,
  );
  const apply =
    pairs.length === 0
      ? html`<p class="note">Autolink found nothing to link.</p>`
      : html`<form method="post" action="${panelUrl('/userpilot/unlinked/autolink')}">
          ${csrfField(view.viewer.csrfToken)}
          <button type="submit">
            Apply: link ${pairs.length} ${pairs.length === 1 ? 'pair' : 'pairs'}
          </button>
        </form>`;
  const body = html`<p class="note">
      Autolink pairs each unlinked directory object with an unlinked mailbox, first by UPN against
      the mailbox's UPN or any of its addresses, then by display name, and only where exactly one
      candidate exists on each side. Nothing is linked until you apply. Applying computes the pairs
      again, so a change in the directory since this preview shows in the result.
    </p>
    <h2>Proposed links <span class="muted">(${pairs.length})</span></h2>
    ${renderTable(['Directory object', 'Mailbox', 'Matched by'], rows, 'No pairs proposed.')}
    ${apply}
    <h2>
      Ambiguous, left unlinked <span class="muted">(${view.preview.ambiguities.length})</span>
    </h2>
    ${renderAmbiguities(view)}
    <p><a href="${panelUrl('/userpilot/unlinked')}">Back to Unlinked</a></p>`;
  return renderPage({
    title: 'UserPilot: Autolink preview',
    active: '/userpilot/unlinked',
    viewer: view.viewer,
    body,
  });
}
