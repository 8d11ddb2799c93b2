import type { ActivityEntry } from '../../../hosted/types.ts';
import { panelUrl, renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html, type Html } from '../html.ts';
import { formatTime, queryString, renderTable } from './common.ts';

/** The filters of the Activity page, as the query string carries them. */
export interface ActivityFilters {
  objectType: string;
  objectId: string;
  actor: string;
  /** `datetime-local` values, read as UTC. */
  since: string;
  until: string;
}

export interface ActivityView {
  viewer: LayoutViewer;
  filters: ActivityFilters;
  entries: ActivityEntry[];
  /** Readable names of actors by their log text (`admin:<id>` to `admin alice`). */
  actorNames: Map<string, string>;
  nextCursor: string | null;
  cursor: string;
  flash?: Flash | undefined;
}

/** Object types the hosted service writes to the activity log, offered as suggestions. */
const objectTypes = [
  'mailbox',
  'directory-object',
  'domain',
  'agent',
  'run',
  'scim-token',
  'admin',
  'tenant',
];

/** Renders before/after as `field: old → new` lines; values are escaped like all others. */
function renderChanges(entry: ActivityEntry): Html {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  if (fields.length === 0) return html``;
  const show = (value: unknown): string => (value === undefined ? '—' : JSON.stringify(value));
  return html`<ul class="changes">
    ${fields.map(
      (field) =>
        html`<li><code>${field}</code>: ${show(before[field])} → ${show(after[field])}</li>`,
    )}
  </ul>`;
}

function renderFilters(filters: ActivityFilters): Html {
  return html`<form
    method="get"
    action="${panelUrl('/userpilot/activity')}"
    class="row"
    role="search"
  >
    <label
      >Object type
      <input
        type="text"
        name="objectType"
        value="${filters.objectType}"
        placeholder="mailbox"
        list="object-types"
    /></label>
    <datalist id="object-types">
      ${objectTypes.map((type) => html`<option value="${type}"></option>`)}
    </datalist>
    <label>Object id <input type="text" name="objectId" value="${filters.objectId}" /></label>
    <label
      >Actor
      <input type="text" name="actor" value="${filters.actor}" placeholder="user name, DC or admin"
    /></label>
    <label>From (UTC) <input type="datetime-local" name="since" value="${filters.since}" /></label>
    <label>To (UTC) <input type="datetime-local" name="until" value="${filters.until}" /></label>
    <button type="submit" class="secondary">Filter</button>
  </form>`;
}

export function renderActivity(view: ActivityView): string {
  const rows = view.entries.map(
    (entry) =>
      html`<tr>
        <td>${formatTime(entry.at)}</td>
        <td title="${entry.actor}">${view.actorNames.get(entry.actor) ?? entry.actor}</td>
        <td>${entry.action}</td>
        <td>${entry.objectType}<br /><span class="muted">${entry.objectId ?? ''}</span></td>
        <td>${renderChanges(entry)}</td>
      </tr>`,
  );
  const next =
    view.nextCursor === null
      ? ''
      : html`<a
          rel="next"
          href="${panelUrl(
            `/userpilot/activity${queryString({ ...view.filters, cursor: view.nextCursor })}`,
          )}"
          >Older entries</a
        >`;
  const first =
    view.cursor === ''
      ? ''
      : html`<a href="${panelUrl(`/userpilot/activity${queryString({ ...view.filters })}`)}"
          >Newest entries</a
        >`;
  const body = html`${renderFilters(view.filters)}
    ${renderTable(['Time', 'Actor', 'Action', 'Object', 'Changes'], rows, 'No activity matches.')}
    <p class="pager">${first}${next}</p>`;
  return renderPage({
    title: 'UserPilot: Activity',
    active: '/userpilot/activity',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
