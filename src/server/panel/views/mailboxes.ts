import type { Mailbox, Page } from '../../../hosted/types.ts';
import { panelUrl, renderPage, type Flash, type LayoutViewer } from '../layout.ts';
import { html } from '../html.ts';
import { queryString, renderPasswordStatus, renderTable } from './common.ts';

export interface MailboxListView {
  viewer: LayoutViewer;
  page: Page<Mailbox>;
  search: string;
  /** The cursor this page was read from; '' for the first page. */
  cursor: string;
  flash?: Flash | undefined;
}

function renderDisplayName(mailbox: Mailbox): ReturnType<typeof html> {
  const name = mailbox.displayName ?? '';
  const linked =
    mailbox.linkedAnchor === null ? '' : html` <span class="tag linked">(linked)</span>`;
  return html`<a href="${panelUrl(`/mailboxes/${encodeURIComponent(mailbox.id)}`)}"
      >${name === '' ? html`<span class="muted">(no display name)</span>` : name}</a
    >${linked}`;
}

function renderRow(mailbox: Mailbox): ReturnType<typeof html> {
  return html`<tr data-mailbox-id="${mailbox.id}">
    <td class="display-name">${renderDisplayName(mailbox)}</td>
    <td>${mailbox.upn}</td>
    <td>${mailbox.enabled ? 'enabled' : html`<span class="tag warn">disabled</span>`}</td>
    <td>${renderPasswordStatus(mailbox.password)}</td>
  </tr>`;
}

function renderPager(view: MailboxListView): ReturnType<typeof html> {
  const { page } = view;
  const first =
    view.cursor === ''
      ? ''
      : html`<a href="${panelUrl(`/mailboxes${queryString({ q: view.search })}`)}">First page</a>`;
  const next =
    page.nextCursor === null
      ? ''
      : html`<a
          href="${panelUrl(
            `/mailboxes${queryString({ q: view.search, cursor: page.nextCursor })}`,
          )}"
          rel="next"
          >Next page</a
        >`;
  return html`<p class="pager">
    <span class="muted">${page.items.length} shown of ${page.total}</span>${first}${next}
  </p>`;
}

export function renderMailboxList(view: MailboxListView): string {
  const rows = view.page.items.map(renderRow);
  const body = html`<form method="get" action="${panelUrl('/mailboxes')}" class="row" role="search">
      <label
        >Search <input type="search" name="q" value="${view.search}" placeholder="name or address"
      /></label>
      <button type="submit" class="secondary">Search</button>
      <a href="${panelUrl('/mailboxes/new')}">Create mailbox</a>
    </form>
    ${renderTable(['Display name', 'UPN', 'Sign-in', 'Password'], rows, 'No mailboxes found.')}
    ${renderPager(view)}`;
  return renderPage({
    title: 'Mailboxes',
    active: '/mailboxes',
    viewer: view.viewer,
    flash: view.flash,
    body,
  });
}
