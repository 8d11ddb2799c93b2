import { csrfFieldName } from './csrf.ts';
import { html, type Html, type HtmlValue } from './html.ts';

/** The URL prefix the panel is mounted under. */
export const panelPrefix = '/panel';

/** Prefixes a panel path: `panelUrl('/domains')` is `/panel/domains`. */
export function panelUrl(path: string): string {
  return `${panelPrefix}${path}`;
}

interface NavItem {
  path: string;
  label: string;
}

const tenantNav: { heading: string; items: NavItem[] }[] = [
  {
    heading: 'Services',
    items: [
      { path: '/domains', label: 'Domains' },
      { path: '/mailboxes', label: 'Mailboxes' },
    ],
  },
  {
    heading: 'UserPilot',
    items: [
      { path: '/userpilot/instructions', label: 'Instructions' },
      { path: '/userpilot/settings', label: 'Settings' },
      { path: '/userpilot/unlinked', label: 'Unlinked' },
      { path: '/userpilot/agents', label: 'Agents' },
      { path: '/userpilot/removals', label: 'Pending removals' },
      { path: '/userpilot/activity', label: 'Activity' },
      { path: '/userpilot/scim-tokens', label: 'SCIM tokens' },
    ],
  },
];

const operatorNav: { heading: string; items: NavItem[] }[] = [
  { heading: 'Provider', items: [{ path: '/operator/tenants', label: 'Tenants' }] },
];

/** A message shown once at the top of a page, after an action. */
export interface Flash {
  kind: 'ok' | 'error';
  text: HtmlValue;
}

/** The signed-in account, as the layout shows it. */
export interface LayoutViewer {
  kind: 'admin' | 'operator';
  userName: string;
  /** The tenant's name, for tenant admins. */
  tenantName?: string;
  csrfToken: string;
}

export interface PageOptions {
  title: string;
  /** The nav path of the current page, to mark it. */
  active?: string;
  viewer?: LayoutViewer;
  flash?: Flash | undefined;
  body: Html;
}

/** Renders the hidden CSRF field every POST form carries. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="${csrfFieldName}" value="${token}" />`;
}

function renderNav(viewer: LayoutViewer, active: string | undefined): Html {
  const sections = viewer.kind === 'operator' ? operatorNav : tenantNav;
  return html`<nav aria-label="Main">
    ${sections.map(
      (section) =>
        html`<h2>${section.heading}</h2>
          <ul>
            ${section.items.map(
              (item) =>
                html`<li>
                  <a
                    href="${panelUrl(item.path)}"
                    ${item.path === active ? html` aria-current="page"` : ''}
                    >${item.label}</a
                  >
                </li>`,
            )}
          </ul>`,
    )}
  </nav>`;
}

function renderHeader(viewer: LayoutViewer | undefined): Html {
  if (viewer === undefined) return html`<header><span class="brand">UserPilot</span></header>`;
  const role = viewer.kind === 'operator' ? 'provider operator' : viewer.tenantName;
  return html`<header>
    <span class="brand">UserPilot</span>
    <span class="who">${viewer.userName} <span class="muted">(${role})</span></span>
    <form method="post" action="${panelUrl('/sign-out')}" class="inline">
      ${csrfField(viewer.csrfToken)}<button type="submit" class="link">Sign out</button>
    </form>
  </header>`;
}

function renderFlash(flash: Flash | undefined): HtmlValue {
  if (flash === undefined) return '';
  return html`<div
    class="flash ${flash.kind}"
    role="${flash.kind === 'error' ? 'alert' : 'status'}"
  >
    ${flash.text}
  </div>`;
}

/** Renders a whole panel page around its body. */
export function renderPage(options: PageOptions): string {
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · UserPilot</title>
        <link rel="stylesheet" href="${panelUrl('/static/panel.css')}" />
      </head>
      <body>
        ${renderHeader(options.viewer)}
        <div class="frame">
          ${options.viewer === undefined ? '' : renderNav(options.viewer, options.active)}
          <main>
            <h1>${options.title}</h1>
            ${renderFlash(options.flash)} ${options.body}
          </main>
        </div>
      </body>
    </html>`;
  return page.text;
}
