// The report page's build and its pure helpers: the inlined script is the build of its sources,
// the tagged template escapes what it inserts, and the page bundle reaches no Node-only module.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAGE_BUNDLE } from '../cli/report/assets.js';
import { formatMs, shortArn } from '../cli/report/shared/format.js';
import { escapeHtml, html, raw } from '../cli/report/shared/markup.js';
import { bundlePageScript, pageBundleProblem } from '../scripts/buildPage.js';

describe('the page script', () => {
  it('is the build of cli/report/page/*.ts (else: npm run build:page)', async () => {
    expect(await pageBundleProblem()).toBeUndefined();
  });

  it('is one browser script: no module syntax, no require, nothing that closes its element', async () => {
    const text = await bundlePageScript();
    expect(text).toBe(readFileSync(PAGE_BUNDLE, 'utf8'));
    expect(text).not.toMatch(/<\/script|\brequire\(|\bimport\s*[{(*'"]|\bexport\s*[{*]/i);
    // The shared formatters are in it, not copies: one formatMs, one escaping table.
    expect(text.match(/&#39;/g)).toHaveLength(1);
  });
});

describe('html tagged template', () => {
  const nasty = `</script><img src=x onerror="alert('&')">`;

  it('escapes strings, inserts numbers, Html and arrays, and leaves out null, undefined and false', () => {
    const value = html`<p title="${nasty}">${nasty}</p>`.text;
    expect(value).toBe(`<p title="${escapeHtml(nasty)}">${escapeHtml(nasty)}</p>`);
    expect(value).not.toMatch(/<\/script|<img|"alert/);
    const inner = html`<b>${'a&b'}</b>`;
    expect(html`${[inner, 1.5, [0, 'x<']]}${null}${undefined}${false}|`.text).toBe('<b>a&amp;b</b>1.50x&lt;|');
    expect(html`${raw('<style>a>b{}</style>')}`.text).toBe('<style>a>b{}</style>');
    expect(String(inner)).toBe('<b>a&amp;b</b>');
  });
});

describe('shared formatters', () => {
  it('formatMs and shortArn read as the tables always showed them', () => {
    expect([850, 12_345, 245_000, 7_380_000, -1_500, null].map(formatMs)).toEqual([
      '850 ms',
      '12.3 s',
      '4 min 05 s',
      '2 h 03 min',
      '−1.50 s',
      '–',
    ]);
    expect(shortArn('arn:aws:ecs:us-east-1:111122223333:task/prod/0123')).toBe('task/prod/0123');
    expect(shortArn('arn:aws:iam::111122223333:role/x')).toBe('arn:aws:iam::111122223333:role/x');
    expect(shortArn(undefined)).toBeUndefined();
  });
});
