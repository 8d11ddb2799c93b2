import type { DirectoryObject, Mailbox } from '../../../hosted/types.ts';
import { csrfField, panelUrl, renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html, type Html } from '../html.ts';
import { actionForm, renderDn, renderTable } from './common.ts';

export interface UnlinkedView {
  viewer: LayoutViewer;
  objects: DirectoryObject[];
  objectsTotal: number;
  mailboxes: Mailbox[];
  mailboxesTotal: number;
  flash?: Flash | undefined;
}

function renderEligibility(object: DirectoryObject): Html {
  if (object.eligible) return html`<span class="tag">eligible</span>`;
  return html`<span class="tag warn">not eligible</span>
    <div class="hint">${object.reasonHint ?? object.reason ?? ''}</div>`;
}

function renderObjectRow(object: DirectoryObject, csrfToken: string): Html {
  const record = object.record;
  const select = object.eligible
    ? html`<input
        type="checkbox"
        name="anchor"
        value="${object.anchor}"
        form="autocreate-selected"
        aria-label="Select ${record.displayName ?? object.anchor}"
      />`
    : '';
  const link = object.eligible
    ? html`<form method="post" action="${panelUrl('/userpilot/unlinked/link')}" class="inline">
        ${csrfField(csrfToken)}<input type="hidden" name="anchor" value="${object.anchor}" />
        <input
          type="text"
          name="mailbox"
          placeholder="mailbox UPN"
          required
          aria-label="Mailbox UPN for ${record.displayName ?? object.anchor}"
        />
        <button type="submit" class="secondary">Link</button>
      </form>`
    : '';
  return html`<tr data-anchor="${object.anchor}">
    <td>${select}</td>
    <td>${record.displayName ?? ''}</td>
    <td>${record.userPrincipalName ?? ''}</td>
    <td class="muted dn">${renderDn(object.dn)}</td>
    <td class="reason">${renderEligibility(object)}</td>
    <td>${link}</td>
  </tr>`;
}

function renderMailboxRow(mailbox: Mailbox): Html {
  return html`<tr>
    <td>
      <a href="${panelUrl(`/mailboxes/${encodeURIComponent(mailbox.id)}`)}"
        >${mailbox.displayName ?? ''}</a
      >
    </td>
    <td>${mailbox.upn}</td>
    <td>${mailbox.otherAddresses.join(', ')}</td>
  </tr>`;
}

function renderActions(csrfToken: string): Html {
  return html`<div class="row">
    <form method="get" action="${panelUrl('/userpilot/unlinked/autolink')}" class="inline">
      <button type="submit">Autolink: preview</button>
    </form>
    <form
      method="post"
      action="${panelUrl('/userpilot/unlinked/autocreate')}"
      id="autocreate-selected"
      class="inline"
    >
      ${csrfField(csrfToken)}<input type="hidden" name="scope" value="selected" />
      <button type="submit" class="secondary">Autocreate selected</button>
    </form>
    ${actionForm({
      action: '/userpilot/unlinked/autocreate',
      csrfToken,
      label: 'Autocreate all eligible',
      fields: { scope: 'all' },
    })}
  </div>`;
}

export function renderUnlinked(view: UnlinkedView): string {
  const token = view.viewer.csrfToken;
  const objectRows = view.objects.map((object) => renderObjectRow(object, token));
  const mailboxRows = view.mailboxes.map(renderMailboxRow);
  const body = html`${renderActions(token)}
    <h2>Unlinked directory objects <span class="muted">(${view.objectsTotal})</span></h2>
    ${renderTable(['', 'Display name', 'UPN', 'DN', 'Eligibility', 'Link to mailbox'], objectRows, 'Every directory object is linked.')}
    ${view.objectsTotal > view.objects.length ? html`<p class="note">Showing the first ${view.objects.length}.</p>` : ''}
    <h2>Unlinked mailboxes <span class="muted">(${view.mailboxesTotal})</span></h2>
    ${renderTable(['Display name', 'UPN', 'Other addresses'], mailboxRows, 'Every mailbox is linked.')}
    ${view.mailboxesTotal > view.mailboxes.length ? html`<p class="note">Showing the first ${view.mailboxes.length}.</p>` : ''}`;
  return renderPage({
    title: 'UserPilot: Unlinked',
    active: '/userpilot/unlinked',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
