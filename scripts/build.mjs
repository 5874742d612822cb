#!/usr/bin/env node
// Bundles each Lambda entry point (functions/*.ts that export `handler`) with esbuild into
// dist/<name>/<name>.mjs (+ .map): ESM, minified, Node 22, AWS SDK bundled in (see docs/deploy.md:
// bundling measured smaller to load and faster to initialise than the runtime's SDK).
//
//   node scripts/build.mjs            build dist/ (the folder is emptied first)
//   node scripts/build.mjs --measure  build both variants (SDK bundled / SDK from the runtime) and
//                                      print bundle sizes and module-init times (median of fresh processes)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Lambda entry points: the files of functions/ that export a `handler`, by name (`ingest`, `projector`). */
export function entryPoints() {
  const dir = join(root, 'functions');
  return readdirSync(dir)
    .filter(
      (f) =>
        f.endsWith('.ts') &&
        /export\s+(const|async\s+function|function)\s+handler\b/.test(readFileSync(join(dir, f), 'utf8')),
    )
    .map((f) => ({ name: f.slice(0, -'.ts'.length), source: join(dir, f) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

// ESM output still meets CommonJS inside dependencies (the SDK's `require("buffer")` and friends):
// esbuild's ESM shim throws "Dynamic require is not supported" unless a real `require` exists.
const REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Builds every entry point into `outdir/<name>/<name>.mjs`. `bundleSdk: false` leaves `@aws-sdk/*`
 * (and its `@smithy/*` core) external, to be loaded from the Lambda runtime. `entries` (default: every
 * Lambda entry point) lets the benchmark build its bare-SDK reference handler with the very same settings.
 * Returns, per function, the bundle path and its size in bytes.
 */
export async function buildFunctions({ outdir = join(root, 'dist'), bundleSdk = true, entries = entryPoints() } = {}) {
  // Built aside, then swapped in: a reader (a packaging run) never sees a half-written folder.
  const staging = `${outdir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const built = [];
  for (const { name, source } of entries) {
    const outfile = join(staging, name, `${name}.mjs`);
    mkdirSync(dirname(outfile), { recursive: true });
    await esbuild.build({
      entryPoints: [source],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      sourcemap: 'linked',
      // Mappings only: stack traces need no embedded sources, and a smaller map parses faster at init.
      sourcesContent: false,
      // The SDK and Powertools ship ESM builds: they tree-shake better than their CommonJS ones.
      mainFields: ['module', 'main'],
      banner: { js: REQUIRE_BANNER },
      legalComments: 'none',
      external: bundleSdk ? [] : ['@aws-sdk/*', '@smithy/*'],
      logLevel: 'warning',
    });
    built.push({ name, bytes: statSync(outfile).size });
  }
  rmSync(outdir, { recursive: true, force: true });
  renameSync(staging, outdir);
  return built.map(({ name, bytes }) => ({ name, file: join(outdir, name, `${name}.mjs`), bytes }));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Module-init cost of one bundle in a fresh Node process: the import creates the SDK client and the
 * Powertools logger/metrics, as Lambda's init phase does. Returns wall-clock and CPU (user + system)
 * milliseconds of the import; CPU time is the steadier figure on a busy machine.
 */
export function measureInitOnce(file, env = {}) {
  const code = `const t0 = performance.now(); const c0 = process.cpuUsage(); await import(${JSON.stringify(pathToFileURL(file).href)}); const c = process.cpuUsage(c0); process.stdout.write(JSON.stringify({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: root,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      EVENT_LOG_TABLE: 'ECSEventLog',
      TASK_STATE_TABLE: 'ECSTaskState',
      INSTANCE_STATE_TABLE: 'ECSCtrInstanceState',
      ...env,
    },
  });
  if (child.status !== 0) throw new Error(`importing ${file} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout);
}

async function measure(runs) {
  // Inside the repository so that the unbundled variant resolves @aws-sdk/* from node_modules,
  // as the Lambda runtime resolves its own copy.
  const base = join(root, 'node_modules', '.cache', 'ecs-events-build');
  const cases = [];
  for (const bundleSdk of [true, false]) {
    const built = await buildFunctions({ outdir: join(base, bundleSdk ? 'bundled' : 'runtime-sdk'), bundleSdk });
    for (const { name, file, bytes } of built) {
      for (const sourceMaps of [false, true]) {
        cases.push({ name, bundleSdk, sourceMaps, file, bytes, wall: [], cpu: [] });
      }
    }
  }
  // Round-robin, so that a busy moment of the machine hits every variant alike.
  for (let i = 0; i < runs; i++) {
    for (const c of cases) {
      const t = measureInitOnce(c.file, c.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {});
      c.wall.push(t.wall);
      c.cpu.push(t.cpu);
    }
  }
  rmSync(base, { recursive: true, force: true });
  console.log(`Node ${process.version}, ${process.platform}/${process.arch}, median of ${runs} fresh processes each\n`);
  console.log('| function | AWS SDK | source maps | bundle (KiB) | init wall (ms) | init CPU (ms) |');
  console.log('|---|---|---|---:|---:|---:|');
  for (const c of cases) {
    const sdk = c.bundleSdk ? 'bundled' : 'from runtime';
    const maps = c.sourceMaps ? 'on' : 'off';
    const kib = (c.bytes / 1024).toFixed(0);
    console.log(
      `| ${c.name} | ${sdk} | ${maps} | ${kib} | ${median(c.wall).toFixed(1)} | ${median(c.cpu).toFixed(1)} |`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { measure: { type: 'boolean' }, runs: { type: 'string', default: '7' } } });
  if (values.measure) await measure(Number(values.runs));
  else {
    for (const { file, bytes } of await buildFunctions()) {
      console.log(`${relative(root, file)}  ${(bytes / 1024).toFixed(0)} KiB`);
    }
  }
}
