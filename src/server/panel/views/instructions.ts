import { renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html } from '../html.ts';
import { actionForm } from './common.ts';

export interface InstructionsView {
  viewer: LayoutViewer;
  serviceUrl: string;
  /** Null until the first install password is made. */
  installUser: string | null;
  /** SHA-256 fingerprint of the service's TLS certificate, when known. */
  certificateFingerprint: string | null;
  /** A new install password, shown on this response only. */
  newInstallPassword?: string;
  flash?: Flash | undefined;
}

function renderNewPassword(password: string | undefined): ReturnType<typeof html> | '' {
  if (password === undefined) return '';
  return html`<div class="warning" id="new-install-password">
    <p>
      <strong>New install password.</strong> It is shown only now: copy it into the agent setup.
      Agents that are already registered keep working with their own credentials.
    </p>
    <code class="secret">${password}</code>
  </div>`;
}

export function renderInstructions(view: InstructionsView): string {
  const body = html`${renderNewPassword(view.newInstallPassword)}
    <h2>Agent credentials</h2>
    <dl class="facts">
      <dt>Service URL</dt>
      <dd><code>${view.serviceUrl}</code></dd>
      <dt>Install user name</dt>
      <dd>
        <code id="install-user">${view.installUser ?? '(none yet: make an install password)'}</code>
      </dd>
      <dt>Certificate fingerprint (SHA-256)</dt>
      <dd><code id="fingerprint">${view.certificateFingerprint ?? 'unknown'}</code></dd>
    </dl>
    <p>
      ${actionForm({
        action: '/userpilot/instructions/install-password',
        csrfToken: view.viewer.csrfToken,
        label: 'Make a new install password',
        style: 'primary',
      })}
    </p>
    <p class="note">A new install password replaces the previous one for new installations only.</p>
    <h2>Install steps</h2>
    <ol class="steps">
      <li>
        On every domain controller of the forest, install Node.js 20 or newer and the UserPilot
        package.
      </li>
      <li>
        Run <code>userpilot setup</code> as an administrator. Enter the service URL, the install
        user name and the install password above, and check that the certificate fingerprint the
        setup shows equals the one on this page.
      </li>
      <li>
        Choose the organizational unit to synchronize (the sync scope). Its child OUs are included.
      </li>
      <li>
        Start the agent service. It registers itself and then appears under Agents; one agent at a
        time synchronizes the directory, the others stand by.
      </li>
      <li>
        Register your mail domains under Domains, then review Unlinked and run Autolink or
        Autocreate.
      </li>
      <li>
        Password changes are captured on Samba domain controllers. Windows domain controllers need a
        password filter that UserPilot does not provide yet, so passwords changed there are not
        synchronized.
      </li>
    </ol>`;
  return renderPage({
    title: 'UserPilot: Instructions',
    active: '/userpilot/instructions',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
