import type { PendingRemoval } from '../../../hosted/types.ts';
import { csrfField, panelUrl, renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html } from '../html.ts';
import { formatTime, renderDn, renderTable } from './common.ts';

export interface RemovalsView {
  viewer: LayoutViewer;
  removals: PendingRemoval[];
  flash?: Flash | undefined;
}

export function renderRemovals(view: RemovalsView): string {
  const rows = view.removals.map(
    (removal) =>
      html`<tr>
        <td>
          <input
            type="checkbox"
            name="id"
            value="${removal.id}"
            form="removal-decision"
            aria-label="Select ${removal.displayName ?? removal.anchor}"
          />
        </td>
        <td>${removal.displayName ?? ''}</td>
        <td class="muted dn">${renderDn(removal.dn ?? '')}</td>
        <td><code>${removal.anchor}</code></td>
        <td>${removal.source === 'full' ? 'missing from a full read' : 'removed in a delta'}</td>
        <td>${formatTime(removal.heldAt)}</td>
      </tr>`,
  );
  const decision =
    view.removals.length === 0
      ? ''
      : html`<form
          method="post"
          action="${panelUrl('/userpilot/removals')}"
          id="removal-decision"
          class="row"
        >
          ${csrfField(view.viewer.csrfToken)}
          <label><input type="radio" name="scope" value="selected" checked /> Selected</label>
          <label><input type="radio" name="scope" value="all" /> All ${view.removals.length}</label>
          <button type="submit" name="decision" value="approve" class="danger">
            Approve removal
          </button>
          <button type="submit" name="decision" value="reject" class="secondary">
            Reject (keep the objects)
          </button>
        </form>`;
  const body = html`<p class="note">
      The accidental-removal guard holds removals when too many arrive at once (see Settings).
      Approving applies the leaving-the-scope policy to each object; rejecting keeps the objects as
      they are.
    </p>
    ${decision}
    ${renderTable(['', 'Display name', 'DN', 'Anchor', 'Source', 'Held'], rows, 'No removals are held.')}`;
  return renderPage({
    title: 'UserPilot: Pending removals',
    active: '/userpilot/removals',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
