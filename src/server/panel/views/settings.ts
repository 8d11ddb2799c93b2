import type { Mailbox, TenantPolicies } from '../../../hosted/types.ts';
import { csrfField, panelUrl, renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html } from '../html.ts';
import { actionForm, formatTime, renderTable } from './common.ts';

export interface SettingsView {
  viewer: LayoutViewer;
  policies: TenantPolicies;
  /** Soft-deleted mailboxes that can still be restored. */
  deleted: Mailbox[];
  flash?: Flash | undefined;
}

function checked(value: boolean): ReturnType<typeof html> | '' {
  return value ? html` checked` : '';
}

function renderPolicyForm(view: SettingsView): ReturnType<typeof html> {
  const p = view.policies;
  return html`<form method="post" action="${panelUrl('/userpilot/settings')}" class="stack">
    ${csrfField(view.viewer.csrfToken)}
    <fieldset>
      <legend>When a user leaves the sync scope</legend>
      <label
        ><input
          type="radio"
          name="leaveScope"
          value="disable"
          ${checked(p.leaveScope === 'disable')}
        />
        Keep the mailbox, disable sign-in and unlink it</label
      >
      <label
        ><input
          type="radio"
          name="leaveScope"
          value="soft-delete"
          ${checked(p.leaveScope === 'soft-delete')}
        />
        Delete the mailbox (restorable during the retention period)</label
      >
      <label for="retention">Retention of deleted mailboxes (days)</label>
      <input
        type="number"
        id="retention"
        name="softDeleteRetentionDays"
        min="1"
        value="${p.softDeleteRetentionDays}"
        required
      />
    </fieldset>
    <fieldset>
      <legend>Accidental-removal guard</legend>
      <p class="note">
        Removals of one full run, or of the deltas within one hour, above the smaller of these two
        limits are held under Pending removals for approval.
      </p>
      <label for="guard-max">Maximum objects</label>
      <input
        type="number"
        id="guard-max"
        name="removalGuardMax"
        min="0"
        value="${p.removalGuardMax}"
        required
      />
      <label for="guard-percent">Maximum percentage of the directory objects</label>
      <input
        type="number"
        id="guard-percent"
        name="removalGuardPercent"
        min="0"
        max="100"
        value="${p.removalGuardPercent}"
        required
      />
    </fieldset>
    <fieldset>
      <legend>Standing policies for objects that arrive later</legend>
      <label
        ><input type="checkbox" name="autolink" value="on" ${checked(p.autolink)} /> Autolink new
        objects</label
      >
      <label
        ><input type="checkbox" name="autocreate" value="on" ${checked(p.autocreate)} /> Autocreate
        mailboxes for new eligible objects</label
      >
    </fieldset>
    <fieldset>
      <legend>Passwords</legend>
      <label for="pw-min">Minimum password length (characters)</label>
      <input
        type="number"
        id="pw-min"
        name="passwordMinLength"
        min="1"
        value="${p.passwordMinLength}"
        required
      />
    </fieldset>
    <p><button type="submit">Save settings</button></p>
  </form>`;
}

export function renderSettings(view: SettingsView): string {
  const rows = view.deleted.map(
    (mailbox) =>
      html`<tr>
        <td>${mailbox.displayName ?? ''}</td>
        <td>${mailbox.upn}</td>
        <td>${formatTime(mailbox.deletedAt)}</td>
        <td>${formatTime(mailbox.purgeAfter)}</td>
        <td>
          ${actionForm({
            action: `/userpilot/settings/restore/${encodeURIComponent(mailbox.id)}`,
            csrfToken: view.viewer.csrfToken,
            label: 'Restore',
          })}
        </td>
      </tr>`,
  );
  const body = html`${renderPolicyForm(view)}
    <h2>Deleted mailboxes</h2>
    ${renderTable(['Display name', 'UPN', 'Deleted', 'Purged after', ''], rows, 'No deleted mailboxes.')}`;
  return renderPage({
    title: 'UserPilot: Settings',
    active: '/userpilot/settings',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
