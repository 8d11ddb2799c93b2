import { html, type Html } from '../panel/html.ts';

/** The mailbox sign-in page: a form, and after a submit the outcome above it. */
export function signInPage(outcome?: { ok: true; login: string } | { ok: false }): string {
  const message: Html | string =
    outcome === undefined
      ? ''
      : outcome.ok
        ? html`<p class="ok" role="status">Signed in as ${outcome.login}.</p>`
        : html`<p class="error" role="alert">
            The address or password is incorrect, or this mailbox may not sign in.
          </p>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Mailbox sign-in</title>
        <style>
          body {
            font-family: system-ui, sans-serif;
            max-width: 24rem;
            margin: 3rem auto;
          }
          label,
          input,
          button {
            display: block;
            width: 100%;
            margin-top: 0.5rem;
          }
          .ok {
            color: #0a5c1f;
          }
          .error {
            color: #a30d0d;
          }
        </style>
      </head>
      <body>
        <h1>Mailbox sign-in</h1>
        ${message}
        <form method="post" action="/mailbox/signin">
          <label for="login">Mailbox address</label>
          <input id="login" name="login" type="email" autocomplete="username" required />
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
          <button type="submit">Sign in</button>
        </form>
      </body>
    </html>`.text;
}
