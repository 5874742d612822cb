import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderReportHtml } from '../cli/report/html.js';
import { buildLifecycleReport } from '../domain/lifecycle/report.js';
import { generateLifecycleWorkload, lifecycleInputOf } from '../sim/lifecycleWorkload.js';
import { seededRandom } from '../sim/random.js';
import { median, say } from './support/measure.js';

/**
 * The lifecycle report at scale: a window with 10,000 tasks, rendered to HTML by the same code as
 * `ecs-events report` (the log read aside: the events go straight from the generator into the pure
 * report builder), then opened in headless Chromium: file size, and the median of 3 navigations to
 * `data-ready`. Targets (issue 16): < 5 MB and < 3 s. The page script is the built
 * cli/report/page.bundle.js, as in a report (`npm run build:page` after editing cli/report/page/).
 */
export interface LifecycleReportFigure {
  readonly tasks: number;
  readonly events: number;
  readonly bytes: number;
  readonly buildMs: number;
  /** Navigation start to `<html data-ready>`, each run in a fresh page; undefined without Chromium. */
  readonly readyMs: readonly number[] | undefined;
  readonly medianReadyMs: number | undefined;
  readonly domTaskBars: number | undefined;
}

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Opens `file` `runs` times in fresh pages of one headless Chromium; ms from navigation start to data-ready. */
export async function measureReady(file: string, runs: number): Promise<{ readyMs: number[]; bars: number }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'ecs-events-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  try {
    const readyMs: number[] = [];
    let bars = 0;
    for (let r = 0; r < runs; r++) {
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'commit' });
      await page.waitForSelector('html[data-ready]', { timeout: 60_000, state: 'attached' });
      readyMs.push(
        // Browser code, as a string: run in the page, not here. The page marks 'data-ready' when drawn.
        await page.evaluate<number>(
          `Math.round((performance.getEntriesByName('data-ready')[0]?.startTime ?? performance.now()) -
            (performance.getEntriesByType('navigation')[0]?.startTime ?? 0))`,
        ),
      );
      bars = await page.locator('[data-task-arn]').count();
      await page.close();
    }
    return { readyMs, bars };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export async function measureLifecycleReport(
  options: { tasks?: number; seed?: number; runs?: number; out?: string } = {},
): Promise<LifecycleReportFigure> {
  const tasks = options.tasks ?? 10_000;
  const hour = 3_600_000;
  const untilMs = Math.floor(Date.now() / 1000) * 1000;
  const spanMs = 6 * hour;
  const sinceMs = untilMs - spanMs;
  say(`\nLifecycle report: ${tasks} tasks in a ${spanMs / hour} h window…`);
  const workload = generateLifecycleWorkload(seededRandom(options.seed ?? 16), {
    startMs: sinceMs,
    spanMs,
    tasks,
    instances: 12,
    // Every task created inside the window, so that all of them are in it.
    earlyShare: 0,
  });
  const t0 = performance.now();
  const report = buildLifecycleReport(lifecycleInputOf(workload.events), {
    clusterArn: workload.clusterArn,
    window: { sinceMs, untilMs },
  });
  const html = renderReportHtml(report, { generatedAt: Date.now() });
  const buildMs = Math.round(performance.now() - t0);
  const file = resolve(options.out ?? join(mkdtempSync(join(tmpdir(), 'ecs-events-report-')), 'report.html'));
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, html);
  const bytes = statSync(file).size;
  say(
    `  ${report.tasks.length} tasks in the window, ${workload.events.length} events; ${(bytes / 1e6).toFixed(2)} MB, built in ${buildMs} ms (${file})`,
  );
  let measured: { readyMs: number[]; bars: number } | undefined;
  try {
    statSync(CHROMIUM);
    measured = await measureReady(file, options.runs ?? 3);
    say(
      `  navigation to data-ready: ${measured.readyMs.join(', ')} ms (median ${median(measured.readyMs)} ms), ${measured.bars} task bars`,
    );
  } catch (e) {
    say(`  not opened in a browser: ${(e as Error).message.split('\n')[0]}`);
  }
  return {
    tasks: report.tasks.length,
    events: workload.events.length,
    bytes,
    buildMs,
    readyMs: measured?.readyMs,
    medianReadyMs: measured ? median(measured.readyMs) : undefined,
    domTaskBars: measured?.bars,
  };
}

/** The targets for the figure, as rows of the benchmark's Targets table. */
export function lifecycleReportTargets(f: LifecycleReportFigure) {
  return [
    {
      target: `report: a window of ${f.tasks.toLocaleString('en-US')} tasks is one file < 5 MB`,
      value: `${(f.bytes / 1e6).toFixed(2)} MB`,
      met: f.bytes < 5e6,
    },
    {
      target: 'report: navigation to data-ready < 3 s in headless Chromium (median of 3)',
      value: f.medianReadyMs === undefined ? 'not measured (no /usr/bin/chromium)' : `${f.medianReadyMs} ms`,
      met: f.medianReadyMs === undefined ? null : f.medianReadyMs < 3000,
    },
  ];
}

// `npx tsx bench/lifecycleReport.ts [tasks] [out.html]`: this figure alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figure = await measureLifecycleReport({
    tasks: process.argv[2] ? Number(process.argv[2]) : undefined,
    out: process.argv[3],
  });
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}
