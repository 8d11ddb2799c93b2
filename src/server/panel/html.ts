/**
 * A tagged template for server-rendered HTML. Every interpolated value is escaped unless it is
 * an `Html` fragment, either made by `html` itself or marked trusted with `raw()`. Directory
 * values (display names, addresses) therefore always arrive in the page as text.
 */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** A value the template accepts: escaped when plain, inserted as is when `Html`. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const replacements: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => replacements[character] ?? character);
}

function renderValue(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(renderValue).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += renderValue(value) + (strings[index + 1] ?? '');
  });
  return new Html(text);
}

/** Marks a fragment as trusted HTML. Use only for text the panel wrote itself. */
export function raw(text: string): Html {
  return new Html(text);
}
