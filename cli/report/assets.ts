import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The page's style sheet and its script, inlined into every report. The script is the bundle of
 * page/*.ts that scripts/buildPage.ts writes (`npm ci` runs it through the `prepare` script; see
 * docs/report.md), read here as it is: nothing is compiled while a report is made.
 */
export const PAGE_ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));
/** Generated, not committed (.gitignore). */
export const PAGE_BUNDLE = fileURLToPath(new URL('./page.bundle.js', import.meta.url));
const STYLE_SHEET = new URL('./page.css', import.meta.url);

export interface PageAssets {
  readonly css: string;
  readonly js: string;
  /** `sha256-…` of the script, for the Content-Security-Policy that allows it and nothing else. */
  readonly scriptHash: string;
}

export function pageAssets(): PageAssets {
  if (!existsSync(PAGE_BUNDLE)) {
    throw new Error(
      `the report page's script is not built (${PAGE_BUNDLE} is missing): run \`npm run build:page\` (npm ci runs it, unless --ignore-scripts)`,
    );
  }
  const js = readFileSync(PAGE_BUNDLE, 'utf8');
  const css = readFileSync(STYLE_SHEET, 'utf8');
  if (/<\/script/i.test(js) || /<\/style/i.test(css))
    throw new Error('report assets must not contain </script or </style');
  return { css, js, scriptHash: `sha256-${createHash('sha256').update(js).digest('base64')}` };
}
