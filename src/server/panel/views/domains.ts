import type { Domain } from '../../../hosted/types.ts';
import { csrfField, panelUrl, renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html } from '../html.ts';
import { actionForm, formatTime, renderTable } from './common.ts';

export interface DomainsView {
  viewer: LayoutViewer;
  domains: Domain[];
  flash?: Flash | undefined;
  /** The rejected input, to show it again in the form. */
  draft?: string;
}

export function renderDomains(view: DomainsView): string {
  const rows = view.domains.map(
    (domain) =>
      html`<tr>
        <td>${domain.name}</td>
        <td>${formatTime(domain.createdAt)}</td>
        <td>
          ${actionForm({
            action: `/domains/${encodeURIComponent(domain.id)}/remove`,
            csrfToken: view.viewer.csrfToken,
            label: 'Remove',
            style: 'danger',
          })}
        </td>
      </tr>`,
  );
  const body = html`<p class="note">
      Mail domains registered for this organization. A directory user becomes eligible for
      synchronization when the domain of its userPrincipalName is registered here.
    </p>
    <form method="post" action="${panelUrl('/domains')}" class="row">
      ${csrfField(view.viewer.csrfToken)}
      <label
        >Domain name
        <input
          type="text"
          name="name"
          value="${view.draft ?? ''}"
          required
          placeholder="example.com"
          autocomplete="off"
      /></label>
      <button type="submit">Add domain</button>
    </form>
    ${renderTable(['Domain', 'Registered', ''], rows, 'No domains registered yet.')}`;
  return renderPage({
    title: 'Domains',
    active: '/domains',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
