import type { Tenant } from '../../../hosted/types.ts';
import { csrfField, panelUrl, renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html } from '../html.ts';
import { formatTime, renderTable } from './common.ts';

export interface TenantsView {
  viewer: LayoutViewer;
  tenants: Tenant[];
  flash?: Flash | undefined;
  draft?: { name: string; adminUser: string };
}

export function renderTenants(view: TenantsView): string {
  const rows = view.tenants.map(
    (tenant) =>
      html`<tr>
        <td>${tenant.name}</td>
        <td>${formatTime(tenant.createdAt)}</td>
        <td>${tenant.agentInstallUser ?? html`<span class="muted">none yet</span>`}</td>
        <td>
          <form
            method="post"
            action="${panelUrl(`/operator/tenants/${encodeURIComponent(tenant.id)}/admins`)}"
            class="inline"
          >
            ${csrfField(view.viewer.csrfToken)}
            <input
              type="text"
              name="adminUser"
              placeholder="user name"
              required
              autocomplete="off"
              aria-label="Admin user name for ${tenant.name}"
            />
            <input
              type="password"
              name="adminPassword"
              placeholder="password"
              required
              autocomplete="new-password"
              aria-label="Admin password for ${tenant.name}"
            />
            <button type="submit" class="secondary">Add admin</button>
          </form>
        </td>
      </tr>`,
  );
  const body = html`<h2>Create a tenant</h2>
    <form method="post" action="${panelUrl('/operator/tenants')}" class="stack">
      ${csrfField(view.viewer.csrfToken)}
      <label for="t-name">Organization name</label>
      <input type="text" id="t-name" name="name" value="${view.draft?.name ?? ''}" required />
      <label for="t-admin">First admin user name</label>
      <input
        type="text"
        id="t-admin"
        name="adminUser"
        value="${view.draft?.adminUser ?? ''}"
        required
        autocomplete="off"
      />
      <label for="t-password">First admin password</label>
      <input
        type="password"
        id="t-password"
        name="adminPassword"
        required
        autocomplete="new-password"
      />
      <p><button type="submit">Create tenant</button></p>
    </form>
    <h2>Tenants</h2>
    ${renderTable(['Organization', 'Created', 'Agent install user', 'Add admin'], rows, 'No tenants yet.')}`;
  return renderPage({
    title: 'Tenants',
    active: '/operator/tenants',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
