// Bundles the report page's script (cli/report/page/*.ts and the shared modules it imports) with
// esbuild into the one asset that every report inlines, cli/report/page.bundle.js. Run by `npm ci`
// (the `prepare` script) and by `npm run build:page` after an edit; reports read the file as it is.
// Why a generated, uncommitted file built at install: docs/report.md ("How the page script is built").
//
//   npx tsx scripts/buildPage.ts            write the bundle
//   npx tsx scripts/buildPage.ts --check    exit 1 when the bundle on disk is missing or stale
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { PAGE_BUNDLE, PAGE_ENTRY } from '../cli/report/assets.js';

/** The bundle's text: one IIFE, minified, for current browsers; the build fails on any `node:` import. */
export async function bundlePageScript(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [PAGE_ENTRY],
    bundle: true,
    write: false,
    // The browser platform: a module that imports node:* (or any package) cannot be bundled, so
    // the shared modules stay browser-safe by construction.
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    banner: { js: '/* Built by scripts/buildPage.ts from cli/report/page/*.ts. */' },
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (out === undefined) throw new Error('esbuild wrote no page bundle');
  return out.text;
}

/** Undefined when the bundle on disk is the build of the sources; else what is wrong with it. */
export async function pageBundleProblem(): Promise<string | undefined> {
  if (!existsSync(PAGE_BUNDLE)) return `${PAGE_BUNDLE} is missing: run \`npm run build:page\``;
  if (readFileSync(PAGE_BUNDLE, 'utf8') !== (await bundlePageScript()))
    return `${PAGE_BUNDLE} is not the build of cli/report/page/*.ts: run \`npm run build:page\``;
  return undefined;
}

export async function writePageBundle(): Promise<number> {
  const text = await bundlePageScript();
  // Written aside, then renamed: a report made meanwhile reads the old bundle or the new one.
  const staging = `${PAGE_BUNDLE}.${process.pid}.tmp`;
  writeFileSync(staging, text);
  renameSync(staging, PAGE_BUNDLE);
  return Buffer.byteLength(text);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--check')) {
    const problem = await pageBundleProblem();
    if (problem) {
      process.stderr.write(`${problem}\n`);
      process.exit(1);
    }
  } else {
    const bytes = await writePageBundle();
    process.stdout.write(`cli/report/page.bundle.js  ${(bytes / 1024).toFixed(1)} KiB\n`);
  }
}
