import {
  mailboxProfileFields,
  type DirectoryObject,
  type Mailbox,
  type MailboxProfile,
} from '../../../hosted/types.ts';
import { csrfField, panelUrl, renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html, type Html } from '../html.ts';
import { actionForm, formatTime, renderPasswordStatus } from './common.ts';

/** Form labels of the profile fields, with the AD attribute each one comes from. */
export const profileLabels: Record<keyof MailboxProfile, string> = {
  givenName: 'First name',
  sn: 'Last name',
  initials: 'Initials',
  title: 'Job title',
  department: 'Department',
  company: 'Company',
  office: 'Office',
  telephoneNumber: 'Phone',
  mobile: 'Mobile',
  fax: 'Fax',
  homePhone: 'Home phone',
  street: 'Street',
  city: 'City',
  state: 'State or province',
  postalCode: 'Postal code',
  country: 'Country',
  description: 'Description',
  employeeId: 'Employee ID',
};

/** The values a form shows: a mailbox's, or what the admin typed before a rejection. */
export interface MailboxDraft {
  upn: string;
  displayName: string;
  otherAddresses: string;
  enabled: boolean;
  profile: Record<keyof MailboxProfile, string>;
}

export function draftOf(mailbox: Mailbox | undefined): MailboxDraft {
  const profile = Object.fromEntries(
    mailboxProfileFields.map((field) => [field, mailbox?.profile[field] ?? '']),
  ) as Record<keyof MailboxProfile, string>;
  return {
    upn: mailbox?.upn ?? '',
    displayName: mailbox?.displayName ?? '',
    otherAddresses: (mailbox?.otherAddresses ?? []).join('\n'),
    enabled: mailbox?.enabled ?? true,
    profile,
  };
}

function field(name: string, label: string, value: string, readOnly: boolean): Html {
  return html`<div class="field">
    <label for="f-${name}">${label}</label>
    <input
      type="text"
      id="f-${name}"
      name="${name}"
      value="${value}"
      ${readOnly ? html` readonly aria-readonly="true"` : ''}
    />
  </div>`;
}

function renderGeneral(draft: MailboxDraft, readOnly: boolean): Html {
  const note = readOnly
    ? html`<p class="note" id="managed-note">
        These properties are managed in the local Active Directory. Change them there; the next
        synchronization brings the new values here.
      </p>`
    : '';
  const profile = mailboxProfileFields.map((name) =>
    field(name, profileLabels[name], draft.profile[name], readOnly),
  );
  return html`<fieldset id="general" ${readOnly ? html` disabled` : ''}>
    <legend>General</legend>
    ${note}
    <div class="fields">
      ${field('upn', 'User principal name (primary address)', draft.upn, readOnly)}
      ${field('displayName', 'Display name', draft.displayName, readOnly)}
      <div class="field">
        <label for="f-otherAddresses">Other addresses (one a line)</label>
        <textarea
          id="f-otherAddresses"
          name="otherAddresses"
          rows="2"
          ${readOnly ? html` readonly` : ''}
        >
${draft.otherAddresses}</textarea>
      </div>
      <div class="field">
        <input type="hidden" name="enabled" value="off" />
        <label class="check"
          ><input
            type="checkbox"
            id="f-enabled"
            name="enabled"
            value="on"
            ${draft.enabled ? html` checked` : ''}
          />
          Sign-in enabled</label
        >
      </div>
      ${profile}
    </div>
  </fieldset>`;
}

export interface MailboxFormView {
  viewer: LayoutViewer;
  /** Undefined on the create page. */
  mailbox?: Mailbox;
  /** The directory object a linked mailbox is linked to, when it is still held. */
  linkedObject?: DirectoryObject | undefined;
  draft: MailboxDraft;
  flash?: Flash | undefined;
}

function renderLinkFacts(view: MailboxFormView, mailbox: Mailbox): Html {
  if (mailbox.linkedAnchor === null) {
    return html`<dl class="facts">
      <dt>Link</dt>
      <dd>Not linked to a directory object.</dd>
      <dt>Password</dt>
      <dd>${renderPasswordStatus(mailbox.password)}</dd>
    </dl>`;
  }
  const object = view.linkedObject;
  return html`<dl class="facts">
      <dt>Link</dt>
      <dd><span class="tag linked">(linked)</span> since ${formatTime(mailbox.linkedAt)}</dd>
      <dt>Directory object</dt>
      <dd>${object?.dn ?? mailbox.linkedAnchor}</dd>
      <dt>Anchor (objectGUID)</dt>
      <dd><code>${mailbox.linkedAnchor}</code></dd>
      <dt>Password</dt>
      <dd>${renderPasswordStatus(mailbox.password)}</dd>
    </dl>
    <p>
      ${actionForm({
        action: `/mailboxes/${encodeURIComponent(mailbox.id)}/unlink`,
        csrfToken: view.viewer.csrfToken,
        label: 'Unlink from directory object',
        style: 'danger',
      })}
    </p>`;
}

export function renderMailboxForm(view: MailboxFormView): string {
  const mailbox = view.mailbox;
  const linked = mailbox !== undefined && mailbox.linkedAnchor !== null;
  const action =
    mailbox === undefined ? '/mailboxes' : `/mailboxes/${encodeURIComponent(mailbox.id)}`;
  const password = linked
    ? ''
    : html`<fieldset>
        <legend>Password</legend>
        <label for="f-password"
          >${mailbox === undefined ? 'Password' : 'New password (leave empty to keep)'}</label
        >
        <input type="password" id="f-password" name="password" autocomplete="new-password" />
      </fieldset>`;
  const save = linked
    ? ''
    : html`<p>
        <button type="submit">${mailbox === undefined ? 'Create mailbox' : 'Save'}</button>
      </p>`;
  const body = html`${mailbox === undefined ? '' : renderLinkFacts(view, mailbox)}
    <form method="post" action="${panelUrl(action)}" class="stack" id="mailbox-form">
      ${csrfField(view.viewer.csrfToken)} ${renderGeneral(view.draft, linked)} ${password} ${save}
    </form>
    <p><a href="${panelUrl('/mailboxes')}">Back to mailboxes</a></p>`;
  const title =
    mailbox === undefined ? 'Create mailbox' : `Mailbox ${mailbox.displayName ?? mailbox.upn}`;
  return renderPage({
    title,
    active: '/mailboxes',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
