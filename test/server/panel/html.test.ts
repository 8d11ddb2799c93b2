import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../../src/server/panel/html.ts';
import { renderDn } from '../../../src/server/panel/views/common.ts';

// Prettier reformats templates tagged `html`; an alias keeps the expected text byte for byte.
const template = html;

describe('html template', () => {
  it.each([
    ['tag', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['ampersand', 'R&D', 'R&amp;D'],
    ['double quote', '" onfocus="x', '&quot; onfocus=&quot;x'],
    ['single quote', "' onfocus='x", '&#39; onfocus=&#39;x'],
    ['backtick', '`x`', '&#96;x&#96;'],
    ['non-ASCII', 'Zoë 🙂', 'Zoë 🙂'],
  ])('escapes %s', (_name, input, expected) => {
    expect(template`<td>${input}</td>`.text).toBe(`<td>${expected}</td>`);
  });

  it('escapes inside attributes', () => {
    expect(template`<a title="${'"><script>'}">`.text).toBe('<a title="&quot;&gt;&lt;script&gt;">');
  });

  it('keeps nested fragments and raw text', () => {
    const inner = template`<b>${'<x>'}</b>`;
    expect(template`<p>${inner}${raw('<br>')}</p>`.text).toBe('<p><b>&lt;x&gt;</b><br></p>');
  });

  it('joins arrays and drops empty values', () => {
    const items = ['<a>', 'b'].map((item) => template`<li>${item}</li>`);
    expect(template`<ul>${items}${null}${undefined}${false}</ul>`.text).toBe(
      '<ul><li>&lt;a&gt;</li><li>b</li></ul>',
    );
  });

  it('prints numbers and zero', () => {
    expect(template`${0} ${12}`.text).toBe('0 12');
  });

  it('escapeHtml leaves plain text alone', () => {
    expect(escapeHtml('plain text')).toBe('plain text');
  });
});

describe('renderDn', () => {
  it('escapes each RDN and allows breaks after commas', () => {
    expect(renderDn('CN=<b>,OU=Staff').text).toBe('CN=&lt;b&gt;,<wbr />OU=Staff');
  });
});
