/**
 * HTML from a tagged template that escapes what it inserts, for the server's document (html.ts) and
 * for the SVG strings the page script sets as `innerHTML`: a string is text, a number its digits,
 * an `Html` (what `html` and `raw` return) markup as it is, an array each of its items, and null,
 * undefined and false nothing (so `${cond && html`…`}` reads as it means). A value can only become
 * markup by being an `Html`, so a stopped reason or a container reason can never open an element.
 * Attribute values are always written in double quotes, where the escaped text cannot end them.
 * Browser-safe: the page bundle imports it.
 */
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const SPECIAL = /[&<>"']/;

/** Most inserted strings (statuses, numbers' neighbours, ARNs) have nothing to escape: tested first, since 10,000 bars insert 100,000 of them. */
export const escapeHtml = (text: string): string =>
  SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string) : text;

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Insert = Html | string | number | false | null | undefined | readonly Insert[];

function inserted(value: Insert): string {
  if (value instanceof Html) return value.text;
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(inserted).join('');
  return '';
}

export function html(strings: TemplateStringsArray, ...values: readonly Insert[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += inserted(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Markup that is trusted as it is: the inline style sheet and script, the embedded JSON. */
export const raw = (text: string): Html => new Html(text);
