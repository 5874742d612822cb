import { readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, round, say } from './support/measure.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** What bench/ uses of scripts/build.mjs (plain ESM, so typed here). */
interface BuildScript {
  entryPoints(): { name: string; source: string }[];
  buildFunctions(options?: {
    outdir?: string;
    entries?: { name: string; source: string }[];
  }): Promise<{ name: string; file: string; bytes: number }[]>;
  measureInitOnce(file: string, env?: Record<string, string>): { wall: number; cpu: number };
}

export interface BundleFigure {
  readonly name: string;
  readonly bytes: number;
  /** Median wall-clock ms of importing the bundle in a fresh Node process, deployed settings. */
  readonly initMs: number;
  /** Median CPU ms (user + system) of the same import: steadier on a busy machine. */
  readonly initCpuMs: number;
  /** The same without --enable-source-maps. */
  readonly initMsNoSourceMaps: number;
}

export interface ColdStartFigure {
  readonly runs: number;
  readonly nodeVersion: string;
  readonly sdk: string;
  readonly env: Record<string, string>;
  readonly bare: BundleFigure;
  readonly functions: (BundleFigure & { bytesRatio: number; initRatio: number; initCpuRatio: number })[];
}

/** The deployed functions' settings that change init (serverless.yml): source maps on, Powertools configured. */
const DEPLOYED_ENV = {
  NODE_OPTIONS: '--enable-source-maps',
  POWERTOOLS_SERVICE_NAME: 'ecs-event-store-bench',
  POWERTOOLS_METRICS_NAMESPACE: 'ECSEventStore',
};

/**
 * Figure 5 (cold-start proxy): each Lambda bundle, built by scripts/build.mjs exactly as the deploy builds
 * it, next to a bare handler that only creates the SDK client, built by the same function with the same
 * settings (so the SDK is loaded the same way, bundled or from the runtime, whichever the deploy chose).
 * Init = importing the bundle in a fresh Node process (scripts/build.mjs measureInitOnce), median of
 * `runs`, round-robin across bundles so that a busy moment of the machine hits each alike.
 */
export async function measureColdStart(runs: number): Promise<ColdStartFigure> {
  const build = (await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href)) as BuildScript;
  // Inside the repository, so that an unbundled SDK (if the deploy ever chooses it) resolves from node_modules.
  const outdir = join(root, 'node_modules', '.cache', 'ecs-events-bench');
  try {
    return await measureBundles(build, outdir, runs);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function measureBundles(build: BuildScript, outdir: string, runs: number): Promise<ColdStartFigure> {
  const functions = await build.buildFunctions({ outdir: join(outdir, 'functions') });
  const [bare] = await build.buildFunctions({
    outdir: join(outdir, 'bare'),
    entries: [{ name: 'bareSdk', source: join(root, 'bench', 'support', 'bareSdkHandler.ts') }],
  });
  if (!bare) throw new Error('scripts/build.mjs built no bare handler bundle');
  const bundles = [bare, ...functions];
  const samples = new Map(
    bundles.map((b) => [b.name, { wall: [] as number[], cpu: [] as number[], plain: [] as number[] }]),
  );
  for (let i = 0; i < runs; i++) {
    for (const b of bundles) {
      const s = samples.get(b.name);
      const deployed = build.measureInitOnce(b.file, DEPLOYED_ENV);
      const plain = build.measureInitOnce(b.file, { ...DEPLOYED_ENV, NODE_OPTIONS: '' });
      s?.wall.push(deployed.wall);
      s?.cpu.push(deployed.cpu);
      s?.plain.push(plain.wall);
    }
  }
  const figureOf = (b: { name: string; bytes: number }): BundleFigure => {
    const s = samples.get(b.name) ?? { wall: [], cpu: [], plain: [] };
    return {
      name: b.name,
      bytes: b.bytes,
      initMs: round(median(s.wall)),
      initCpuMs: round(median(s.cpu)),
      initMsNoSourceMaps: round(median(s.plain)),
    };
  };
  const bareFigure = figureOf(bare);
  const figure: ColdStartFigure = {
    runs,
    nodeVersion: process.version,
    sdk: bundledSdk(functions.map((f) => relative(root, f.file))),
    env: DEPLOYED_ENV,
    bare: bareFigure,
    functions: functions.map((f) => {
      const fig = figureOf(f);
      return {
        ...fig,
        bytesRatio: round(fig.bytes / bareFigure.bytes),
        initRatio: round(fig.initMs / bareFigure.initMs),
        initCpuRatio: round(fig.initCpuMs / bareFigure.initCpuMs),
      };
    }),
  };
  for (const f of [bareFigure, ...figure.functions])
    say(`  ${f.name}: ${(f.bytes / 1024).toFixed(0)} KiB, init ${f.initMs} ms (CPU ${f.initCpuMs} ms)`);
  return figure;
}

/** How the deploy loads the SDK, read from the bundles themselves: bundled in, or imported from the runtime. */
function bundledSdk(files: string[]): string {
  const external = files.some((f) => /from\s*["']@aws-sdk\//.test(readFileSync(join(root, f), 'utf8')));
  return external ? 'from the Lambda runtime (external to the bundle)' : 'bundled (esbuild, minified, ESM)';
}
