import { csrfField, panelUrl, renderPage, type Flash } from '../layout.ts';
import { html } from '../html.ts';

export interface SignInView {
  /** 'admin' signs in to a tenant; 'operator' to the provider pages. */
  kind: 'admin' | 'operator';
  userName?: string;
  flash?: Flash | undefined;
  /** The pre-session CSRF token, also set in its own cookie (double-submit). */
  csrfToken: string;
}

/**
 * Renders the sign-in form. There is no session yet, so its CSRF token is compared with a cookie
 * of its own rather than with a session.
 */
export function renderSignIn(view: SignInView): string {
  const isOperator = view.kind === 'operator';
  const action = panelUrl(isOperator ? '/operator/sign-in' : '/sign-in');
  const otherLink = isOperator
    ? html`<a href="${panelUrl('/sign-in')}">Tenant admin sign-in</a>`
    : html`<a href="${panelUrl('/operator/sign-in')}">Provider operator sign-in</a>`;
  const body = html`<form method="post" action="${action}" class="stack">
      ${csrfField(view.csrfToken)}
      <label for="username">User name</label>
      <input
        type="text"
        id="username"
        name="username"
        value="${view.userName ?? ''}"
        required
        autocomplete="username"
      />
      <label for="password">Password</label>
      <input
        type="password"
        id="password"
        name="password"
        required
        autocomplete="current-password"
      />
      <p><button type="submit">Sign in</button></p>
    </form>
    <p class="note">${otherLink}</p>`;
  return renderPage({
    title: isOperator ? 'Provider operator sign-in' : 'Sign in',
    flash: view.flash,
    body,
  });
}
