import type { Agent, Run } from '../../../hosted/types.ts';
import { renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html, type Html } from '../html.ts';
import { formatTime, renderTable } from './common.ts';

/** An agent with no heartbeat for this long is shown as silent. */
export const silentAfterMs = 10 * 60 * 1000;

export interface AgentRow {
  agent: Agent;
  /** The newest run the agent started, if any. */
  lastRun: Run | undefined;
  silent: boolean;
}

export interface AgentsView {
  viewer: LayoutViewer;
  rows: AgentRow[];
  flash?: Flash | undefined;
}

function renderLastRun(run: Run | undefined): Html {
  if (run === undefined) return html`<span class="muted">none yet</span>`;
  const summary = run.summary;
  return html`${run.kind} run, ${run.state}, ${formatTime(run.endedAt ?? run.startedAt)} <br /><span
      class="muted"
      >${summary.created} created, ${summary.updated} updated, ${summary.removed} removed,
      ${summary.held} held</span
    >`;
}

function renderErrors(row: AgentRow): Html {
  const problems: Html[] = [];
  if (row.agent.revokedAt !== null) {
    problems.push(html`<span class="tag error">revoked ${formatTime(row.agent.revokedAt)}</span>`);
  }
  const run = row.lastRun;
  if (run !== undefined && (run.state === 'incomplete' || run.state === 'abandoned')) {
    problems.push(html`<span class="tag error">last run ${run.state}</span>`);
  }
  if (run !== undefined && run.summary.rejected > 0) {
    problems.push(html`<span class="tag warn">${run.summary.rejected} objects rejected</span>`);
  }
  return problems.length === 0 ? html`<span class="muted">none</span>` : html`${problems}`;
}

function renderRow(row: AgentRow): Html {
  const agent = row.agent;
  const heartbeat = row.silent
    ? html`<span class="tag warn">silent</span> ${formatTime(agent.lastHeartbeatAt)}`
    : html`${formatTime(agent.lastHeartbeatAt)}`;
  return html`<tr>
    <td>${agent.dc}<br /><span class="muted">${agent.host}</span></td>
    <td>${agent.version}</td>
    <td>${heartbeat}</td>
    <td>${agent.holdsLease ? html`<strong>holds the lease</strong>` : 'standing by'}</td>
    <td>${renderLastRun(row.lastRun)}</td>
    <td>${renderErrors(row)}</td>
  </tr>`;
}

export function renderAgents(view: AgentsView): string {
  const silent = view.rows.filter((row) => row.silent && row.agent.revokedAt === null);
  const warning =
    silent.length === 0
      ? ''
      : html`<p class="warning" role="alert">
          ${silent.length} ${silent.length === 1 ? 'agent has' : 'agents have'} sent no heartbeat
          for over ${silentAfterMs / 60000} minutes:
          ${silent.map((row) => row.agent.dc).join(', ')}. Check that the agent service runs and can
          reach this service.
        </p>`;
  const body = html`${warning}
  ${renderTable(
    ['Domain controller', 'Version', 'Last heartbeat', 'Lease', 'Last run', 'Errors'],
    view.rows.map(renderRow),
    'No agent has registered yet. See Instructions.',
  )}`;
  return renderPage({
    title: 'UserPilot: Agents',
    active: '/userpilot/agents',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
