import type { ScimToken } from '../../../hosted/types.ts';
import { csrfField, panelUrl, renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html } from '../html.ts';
import { actionForm, formatTime, renderTable } from './common.ts';

export interface ScimTokensView {
  viewer: LayoutViewer;
  tokens: ScimToken[];
  serviceUrl: string;
  /** A token just created, shown on this response only. */
  newToken?: { token: string; label: string };
  flash?: Flash | undefined;
}

export function renderScimTokens(view: ScimTokensView): string {
  const created =
    view.newToken === undefined
      ? ''
      : html`<div class="warning" id="new-scim-token">
          <p>
            <strong>New token “${view.newToken.label}”.</strong> It is shown only now: copy it into
            the identity provider as the bearer token.
          </p>
          <code class="secret">${view.newToken.token}</code>
        </div>`;
  const rows = view.tokens.map(
    (token) =>
      html`<tr>
        <td>${token.label}</td>
        <td>${formatTime(token.createdAt)}</td>
        <td>${formatTime(token.lastUsedAt)}</td>
        <td>
          ${token.revokedAt === null ? 'active' : html`<span class="tag">revoked ${formatTime(token.revokedAt)}</span>`}
        </td>
        <td>
          ${
            token.revokedAt === null
              ? actionForm({
                  action: `/userpilot/scim-tokens/${encodeURIComponent(token.id)}/revoke`,
                  csrfToken: view.viewer.csrfToken,
                  label: 'Revoke',
                  style: 'danger',
                })
              : ''
          }
        </td>
      </tr>`,
  );
  const body = html`${created}
    <p class="note">
      Identity providers provision users through SCIM 2.0 at
      <code>${view.serviceUrl}/scim/v2</code> with one of these bearer tokens.
    </p>
    <form method="post" action="${panelUrl('/userpilot/scim-tokens')}" class="row">
      ${csrfField(view.viewer.csrfToken)}
      <label
        >Label
        <input type="text" name="label" required maxlength="100" placeholder="identity provider"
      /></label>
      <button type="submit">Create token</button>
    </form>
    ${renderTable(['Label', 'Created', 'Last used', 'State', ''], rows, 'No SCIM tokens yet.')}`;
  return renderPage({
    title: 'UserPilot: SCIM tokens',
    active: '/userpilot/scim-tokens',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
