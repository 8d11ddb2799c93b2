import type { PasswordStatus } from '../../../hosted/types.ts';
import { csrfField, panelUrl } from '../layout.ts';
import { html, type Html, type HtmlValue } from '../html.ts';

/** Formats an ISO 8601 instant for a table cell, in UTC; an em dash when absent. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Renders the password status of a mailbox or directory object as one cell. */
export function renderPasswordStatus(status: PasswordStatus): Html {
  if (status.synchronized) {
    return html`<span title="pwdLastSet ${formatTime(status.pwdLastSet)}"
      >synchronized at ${formatTime(status.receivedAt)}</span
    >`;
  }
  return html`<span class="muted">not synchronized yet — change it on premises</span>`;
}

/**
 * Renders a POST form with the session's CSRF token, for one-button actions. `fields` become hidden
 * inputs; their values are escaped like any other.
 */
export function actionForm(options: {
  action: string;
  csrfToken: string;
  label: string;
  fields?: Record<string, string>;
  style?: 'primary' | 'secondary' | 'danger';
}): Html {
  const hidden = Object.entries(options.fields ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  );
  const style = options.style ?? 'secondary';
  return html`<form method="post" action="${panelUrl(options.action)}" class="inline">
    ${csrfField(options.csrfToken)}${hidden}<button
      type="submit"
      class="${style === 'primary' ? '' : style}"
    >
      ${options.label}
    </button>
  </form>`;
}

/** Renders a table with a header row. An empty list shows `empty` in one row instead. */
export function renderTable(headers: HtmlValue[], rows: Html[], empty: string): Html {
  const body =
    rows.length > 0
      ? rows
      : [
          html`<tr>
            <td colspan="${headers.length}" class="muted">${empty}</td>
          </tr>`,
        ];
  return html`<table>
    <thead>
      <tr>
        ${headers.map((header) => html`<th>${header}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${body}
    </tbody>
  </table>`;
}

/** Builds a query string of the non-empty values, with a leading `?`, or '' when none is set. */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(name, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Renders a DN with a line-break opportunity after each comma, so long DNs wrap between RDNs. */
export function renderDn(dn: string): Html {
  const parts = dn.split(',');
  return html`${parts.map((part, index) => (index === 0 ? html`${part}` : html`,<wbr />${part}`))}`;
}
