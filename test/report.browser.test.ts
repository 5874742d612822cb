// `ecs-events report` in a real browser: events go through the real ingest path into DynamoDB Local,
// the real CLI writes the report, headless Chromium (Debian's package, driven by playwright-core)
// opens it from file:// and the page is checked against an oracle computed from the same events.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BrowserContext, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../bench/lifecycleReport.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import type { Pipeline } from '../local/localStack.js';
import { pageBundleProblem } from '../scripts/buildPage.js';
import { generateLifecycleWorkload } from '../sim/lifecycleWorkload.js';
import { seededRandom } from '../sim/random.js';
import { callFixtures, FIXTURE_CLUSTER, fixtureOffset } from './support/cloudTrail.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { jsonItems, runCli } from './support/runCli.js';

const OUTPUT = resolve(fileURLToPath(new URL('..', import.meta.url)), 'test-output');
const HOUR = 3_600_000;
const MIN = 60_000;

const haveChromium = existsSync(CHROMIUM);
const underCi = process.env.CI === 'true';
if (!haveChromium && !underCi) {
  process.stderr.write(
    `\nreport.browser.test.ts: ${CHROMIUM} not found, browser tests skipped (apt-get install chromium)\n`,
  );
}

// Times relative to now: STOPPED task rows expire by TTL, a fixed date would age out of the tables.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const SINCE = NOW - 150 * MIN;
const UNTIL = NOW - 10 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

const TASK = 'ECS Task State Change';
const timeOf = (e: EcsEvent) => Date.parse(e.time as string);

/** The oracle, written out plainly from the rules in docs/report.md: which tasks, which states. */
function oracleTasks(events: readonly EcsEvent[], clusterArn: string, service?: string) {
  const byTask = new Map<string, EcsEvent[]>();
  for (const e of events) {
    if (e['detail-type'] !== TASK || e.detail.clusterArn !== clusterArn || timeOf(e) >= UNTIL) continue;
    if (service !== undefined && e.detail.group !== `service:${service}`) continue;
    const arn = String(e.detail.taskArn);
    byTask.set(arn, [...(byTask.get(arn) ?? []), e]);
  }
  const tasks = new Map<string, string[]>();
  for (const [arn, list] of byTask) {
    list.sort((a, b) => Number(a.detail.version) - Number(b.detail.version));
    const start = timeOf(list[0] as EcsEvent);
    const stop = list.find((e) => e.detail.lastStatus === 'STOPPED');
    if (!(start < UNTIL && (stop === undefined || timeOf(stop) >= SINCE))) continue;
    const states: string[] = [];
    for (const e of list) {
      const s = String(e.detail.lastStatus);
      if (states.at(-1) === 'STOPPED') break;
      if (states.at(-1) !== s) states.push(s);
    }
    tasks.set(arn, states);
  }
  return tasks;
}

/** Deployment runs overlapping the window: a run starts at IN_PROGRESS and ends at COMPLETED or FAILED. */
function oracleDeployments(events: readonly EcsEvent[]): string[] {
  const runs: { id: string; start: number; end?: number }[] = [];
  const changes = events
    .filter((e) => e['detail-type'] === 'ECS Deployment State Change' && timeOf(e) < UNTIL)
    .sort((a, b) => timeOf(a) - timeOf(b));
  for (const e of changes) {
    const id = String(e.detail.deploymentId);
    const open = runs.find((r) => r.id === id && r.end === undefined);
    if (e.detail.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS' && !open) runs.push({ id, start: timeOf(e) });
    else if (open && e.detail.eventName !== 'SERVICE_DEPLOYMENT_IN_PROGRESS') open.end = timeOf(e);
  }
  return runs
    .filter((r) => r.start < UNTIL && (r.end === undefined || r.end >= SINCE))
    .map((r) => r.id)
    .sort();
}

/** A task of no service that runs through the whole window without an event in it (stopping after it, or never). */
function longRunner(clusterArn: string, id: string, stoppedAt?: number): EcsEvent[] {
  const taskArn = clusterArn.replace(':cluster/', ':task/').concat(`/${id.padEnd(32, '0')}`);
  const created = NOW - 4 * HOUR;
  const event = (version: number, t: number, lastStatus: string, extra: Record<string, unknown> = {}): EcsEvent => ({
    version: '0',
    id: `00000000-0000-4000-a000-${id.padEnd(8, '0')}${String(version).padStart(4, '0')}`,
    'detail-type': TASK,
    source: 'aws.ecs',
    account: '111122223333',
    time: new Date(t).toISOString().replace('.000Z', 'Z'),
    region: 'us-east-1',
    resources: [taskArn],
    detail: {
      clusterArn,
      taskArn,
      lastStatus,
      desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      group: 'family:batch',
      launchType: 'FARGATE',
      taskDefinitionArn: clusterArn.replace(/:cluster\/.*/, ':task-definition/batch:3'),
      createdAt: iso(created),
      updatedAt: iso(t),
      version,
      containers: [{ containerArn: `${taskArn}/c`, name: 'batch', taskArn, lastStatus }],
      overrides: { containerOverrides: [] },
      ...extra,
    },
  });
  return [
    event(1, created, 'PENDING'),
    event(2, created + MIN, 'RUNNING', { startedAt: iso(created + MIN) }),
    ...(stoppedAt === undefined
      ? []
      : [event(3, stoppedAt, 'STOPPED', { stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' })]),
  ];
}

/**
 * The ECS API-call fixtures (test/support/cloudTrail.ts, 23 calls a minute apart from SINCE + 20 min,
 * on cluster prod but none on a task of the workload) and one StopTask of a workload task of the
 * window, made from the fixture's, halfway through the task's life: it is drawn on that task's row.
 */
function callEvents(events: readonly EcsEvent[], clusterArn: string): { calls: EcsEvent[]; stop: EcsEvent } {
  const fixtures = callFixtures(fixtureOffset(SINCE + 20 * MIN));
  const tasks = oracleTasks(events, clusterArn);
  const lifetimes = new Map<string, number[]>();
  for (const e of events) {
    if (e['detail-type'] !== TASK || !tasks.has(String(e.detail.taskArn))) continue;
    lifetimes.set(String(e.detail.taskArn), [...(lifetimes.get(String(e.detail.taskArn)) ?? []), timeOf(e)]);
  }
  const [taskArn, times] = [...lifetimes].find(
    ([, t]) => Math.min(...t) > SINCE && Math.max(...t) < UNTIL && Math.max(...t) - Math.min(...t) > 10 * MIN,
  ) as [string, number[]];
  const at = Math.floor((Math.min(...times) + Math.max(...times)) / 2000) * 1000;
  const fixture = fixtures['stop-task-id-and-cluster-name'] as EcsEvent;
  const stop = JSON.parse(
    JSON.stringify(fixture).replaceAll('1b2c3d4e5f60718293a4b5c6d7e8f90a', String(taskArn.split('/').at(-1))),
  ) as EcsEvent;
  const when = iso(at).replace('.000Z', 'Z');
  Object.assign(stop, { id: 'b07c4d6e-9f8b-4a0c-9dc4-0000000000aa', time: when });
  Object.assign(stop.detail, { eventTime: when, eventID: 'e3d7c9b1-a5f8-4ecd-8c7b-0000000000aa' });
  (stop.detail.requestParameters as Record<string, unknown>).reason = 'report test: a StopTask on the chart';
  expect(stop.detail.requestParameters).toMatchObject({ task: taskArn.split('/').at(-1) });
  expect(clusterArn).toBe(FIXTURE_CLUSTER);
  return { calls: [...Object.values(fixtures), stop], stop };
}

describe.skipIf(!haveChromium && !underCi)('ecs-events report in headless Chromium', () => {
  let pipeline: Pipeline;
  let events: EcsEvent[];
  let stopCall: EcsEvent;
  let clusterArn: string;
  let dir: string;
  let reportFile: string;
  let context: BrowserContext;
  let profile: string;
  const cli = (...args: string[]) => runCli(args, pipeline.tables);

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: .ci/run installs the Debian chromium package`);
    // The CLI inlines the bundle on disk: testing an out-of-date one would test other code than page/*.ts.
    const stale = await pageBundleProblem();
    if (stale) throw new Error(stale);
    pipeline = await testPipeline(import.meta.filename);
    const workload = generateLifecycleWorkload(seededRandom(1616), {
      startMs: NOW - 3 * HOUR,
      spanMs: 3 * HOUR,
      tasks: 160,
      instances: 4,
    });
    clusterArn = workload.clusterArn;
    events = [
      ...workload.events,
      ...longRunner(clusterArn, 'b1'),
      ...longRunner(clusterArn, 'b2', NOW - 5 * MIN),
      ...longRunner(clusterArn, 'b3', SINCE - 5 * MIN),
    ];
    dir = mkdtempSync(join(tmpdir(), 'ecs-events-report-'));
    writeFileSync(join(dir, 'events.ndjson'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const load = await cli('load', join(dir, 'events.ndjson'), '--json', '--concurrency', '16');
    expect(load.code, load.stderr).toBe(0);
    expect(JSON.parse(load.stdout)).toMatchObject({ appended: events.length, rejected: 0 });
    const { calls, stop } = callEvents(events, clusterArn);
    stopCall = stop;
    writeFileSync(join(dir, 'calls.ndjson'), `${calls.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const loadCalls = await cli('load', join(dir, 'calls.ndjson'), '--json');
    expect(loadCalls.code, loadCalls.stderr).toBe(0);
    expect(JSON.parse(loadCalls.stdout)).toMatchObject({ rejected: 0 });
    // The latest-state tables name the cluster (a bare --cluster name) and the tasks alive through the window.
    await pipeline.poller().drain();

    reportFile = join(dir, 'report.html');
    const report = await cli(
      'report',
      '--cluster',
      'prod',
      '--since',
      iso(SINCE),
      '--until',
      iso(UNTIL),
      '--out',
      reportFile,
      '--page-size',
      '50',
    );
    expect(report.stderr).toMatch(/task\(s\)/);
    expect(report.code).toBe(0);
    expect(report.stdout.trim()).toBe(reportFile);

    const { chromium } = await import('playwright-core');
    profile = mkdtempSync(join(tmpdir(), 'ecs-events-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    pipeline?.client.destroy();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens the report with every request intercepted and counted; console errors collected. */
  async function open(file: string, colorScheme: 'light' | 'dark' = 'light') {
    const page = await context.newPage();
    await page.emulateMedia({ colorScheme });
    const url = pathToFileURL(file).href;
    const requests: string[] = [];
    const errors: string[] = [];
    await page.route('**', (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      requests.push(u);
      return route.abort();
    });
    page.on('request', (r) => {
      if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('html[data-ready]', { state: 'attached', timeout: 30_000 });
    return { page, requests, errors };
  }

  it('draws one bar per task of the window, each with its states in version order; no request, no console error', async () => {
    const { page, requests, errors } = await open(reportFile);
    const expected = oracleTasks(events, clusterArn);
    expect(expected.size).toBeGreaterThan(100);
    const bars = await page.$$eval('[data-task-arn]', (els) =>
      els.map((el) => [el.getAttribute('data-task-arn'), [...el.children].map((c) => c.getAttribute('data-state'))]),
    );
    expect(bars).toHaveLength(expected.size);
    expect(new Map(bars as [string, string[]][])).toEqual(expected);
    // Tasks that began before the window are there with their earlier states, also those without an event in it.
    const before = new Set(
      events.filter((e) => e['detail-type'] === TASK && timeOf(e) < SINCE).map((e) => e.detail.taskArn),
    );
    const during = new Set(
      events
        .filter((e) => e['detail-type'] === TASK && timeOf(e) >= SINCE && timeOf(e) < UNTIL)
        .map((e) => e.detail.taskArn),
    );
    expect(bars.filter(([arn]) => before.has(arn) && during.has(arn)).length).toBeGreaterThan(0);
    expect(bars.filter(([arn]) => before.has(arn) && !during.has(arn)).length).toBeGreaterThan(0);

    expect(await page.title()).toBe(`ECS lifecycle report: prod, ${iso(SINCE)} to ${iso(UNTIL)}`);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'report.png') });
    await page.close();
  });

  it('shows a task in a tooltip on focus: ARN, revision, stop code and reason, container exit code and reason', async () => {
    const { page, errors } = await open(reportFile);
    const expected = oracleTasks(events, clusterArn);
    const failed = events.find(
      (e) =>
        e.detail.lastStatus === 'STOPPED' &&
        e.detail.stopCode === 'EssentialContainerExited' &&
        expected.has(String(e.detail.taskArn)) &&
        (e.detail.containers as { reason?: string }[])[0]?.reason !== undefined,
    ) as EcsEvent;
    expect(failed).toBeDefined();
    const d = failed.detail;
    const container = (d.containers as { name: string; exitCode: number; reason: string }[])[0] as {
      name: string;
      exitCode: number;
      reason: string;
    };
    await page.focus(`[data-task-arn="${d.taskArn}"]`);
    const tip = page.locator('#tip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    const text = (await tip.textContent()) ?? '';
    expect(text).toContain(String(d.taskArn));
    expect(text).toContain(String(d.taskDefinitionArn).split('/').at(-1));
    expect(text).toContain(String(d.launchType));
    expect(text).toContain('EssentialContainerExited');
    expect(text).toContain(String(d.stoppedReason));
    expect(text).toContain(`exit code ${container.exitCode}`);
    expect(text).toContain(container.reason);

    // The keyboard moves on to the next bar of the lane (or stays on the last), and the tooltip follows.
    await page.keyboard.press('ArrowDown');
    const now = await page.evaluate<string | null | undefined>(`document.activeElement?.getAttribute('data-task-arn')`);
    expect(now).toBeTruthy();
    expect(await tip.textContent()).toContain(now as string);
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("marks each API call: on its task's row or on the calls lane; hovering one shows who did what, to what, and why", async () => {
    const { page, errors } = await open(reportFile);
    // A mark is a vertical line (no width to Playwright's actionability checks): the pointer goes to its middle.
    const hover = async (mark: Locator) => {
      await mark.scrollIntoViewIfNeeded();
      const b = await mark.boundingBox();
      if (!b) throw new Error('a call mark has no box');
      await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    };
    // One mark per call item of the window (a call about two tasks is filed, and drawn, under each).
    const items = (await scanAll(pipeline.doc, pipeline.tables.eventLog)).filter(
      (i) => String(i.arn).endsWith('#call') && Number(i.eventTime) >= SINCE && Number(i.eventTime) < UNTIL,
    );
    expect(items.length).toBeGreaterThan(20);
    const marks = page.locator('#chart .call');
    expect(await marks.count()).toBe(items.length);
    expect(await page.textContent('.legend')).toContain('API call failed');
    const tip = page.locator('#tip');

    // The StopTask of a workload task: on that task's bar, where the call's time is.
    const taskArn = String((stopCall.detail.responseElements as { task: { taskArn: string } }).task.taskArn);
    const mark = page.locator(`#chart .call[data-resource-arn="${taskArn}"]`);
    expect(await mark.count()).toBe(1);
    const bar = await page.locator(`[data-task-arn="${taskArn}"]`).boundingBox();
    const box = await mark.boundingBox();
    if (!bar || !box) throw new Error('no box for the task bar or its call mark');
    expect(box.y + box.height / 2).toBeGreaterThan(bar.y);
    expect(box.y + box.height / 2).toBeLessThan(bar.y + bar.height);
    expect(box.x + box.width / 2).toBeGreaterThan(bar.x);
    expect(box.x + box.width / 2).toBeLessThan(bar.x + bar.width);
    await hover(mark);
    await expect.poll(() => tip.textContent()).toContain('StopTask by');
    const text = (await tip.textContent()) ?? '';
    expect(text).toContain('StopTask by AWSReservedSSO_AdministratorAccess_0123456789abcdef/jane.doe@example.com');
    expect(text).toContain(taskArn);
    expect(text).toContain('report test: a StopTask on the chart');
    expect(text).toContain(String(stopCall.detail.eventTime).replace('Z', '.000Z'));

    // A denied RunTask names no task: on the calls lane, with its error.
    const denied = page.locator('#chart .call-err');
    expect(await denied.count()).toBe(1);
    expect(await denied.getAttribute('data-resource-arn')).toBe(FIXTURE_CLUSTER);
    await hover(denied);
    await expect.poll(() => tip.textContent()).toContain('RunTask by ci-readonly/gha-pr-1337');
    expect(await tip.textContent()).toContain('AccessDenied');
    // The drain of an instance, with the status its request asked for (read from the call's item).
    await hover(page.locator('#chart .call[data-action="UpdateContainerInstancesState"]'));
    await expect.poll(() => tip.textContent()).toContain('UpdateContainerInstancesState by');
    expect(await tip.textContent()).toMatch(/statusDRAINING/);

    // A mark keeps its width at any zoom (its stroke does not scale with the plot).
    const width = async () => (await page.locator('#chart .call-err').boundingBox())?.width ?? 0;
    const before = await page.getAttribute('#plot', 'transform');
    await page.click('[data-zoom="in"]');
    await expect.poll(() => page.getAttribute('#plot', 'transform')).not.toBe(before);
    expect(await width()).toBeLessThan(8);
    await page.click('[data-zoom="reset"]');

    // The task's own details list its calls too (keyboard users reach them there).
    await page.focus(`[data-task-arn="${taskArn}"]`);
    await expect.poll(() => tip.textContent()).toContain(taskArn);
    expect(await tip.textContent()).toMatch(/API calls\d\d:\d\d:\d\d StopTask by AWSReservedSSO/);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(OUTPUT, 'report-calls.png') });
    await page.close();
  });

  it('marks every deployment run that overlaps the window, the rollback included', async () => {
    const { page } = await open(reportFile);
    const markers = await page.$$eval('[data-deployment-id]', (els) =>
      els.map((el) => [el.getAttribute('data-deployment-id'), el.getAttribute('data-outcome')]),
    );
    expect(markers.map(([id]) => id).sort()).toEqual(oracleDeployments(events));
    expect(markers.map(([, o]) => o)).toContain('rolled back');
    await page.close();
  });

  it('has the latency rows of `stats --json` for the same window, and links stop reasons to their bars', async () => {
    const stats = await cli('stats', '--cluster', clusterArn, '--since', iso(SINCE), '--until', iso(UNTIL), '--json');
    const items = jsonItems<Record<string, unknown>>(stats);
    expect(items.length).toBeGreaterThan(2);
    const flat = (r: Record<string, unknown>) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        if (v !== null && typeof v === 'object') for (const [s, x] of Object.entries(v)) out[`${k}.${s}`] = x;
        else out[k] = v;
      }
      return out;
    };
    const { page } = await open(reportFile);
    const rows = await page.$$eval('tr[data-service]', (trs) =>
      trs.map((tr) => {
        const row: Record<string, unknown> = {
          service: tr.getAttribute('data-service'),
          taskDefinition: tr.getAttribute('data-task-definition'),
        };
        for (const td of tr.querySelectorAll('td[data-field]')) {
          const v = td.getAttribute('data-value');
          row[td.getAttribute('data-field') as string] = v === '' ? null : Number(v);
        }
        return row;
      }),
    );
    expect(rows).toEqual(items.map(flat));
    expect(await page.textContent('#latency')).toContain('nearest-rank');

    const link = page.locator('a.show-stop').first();
    const group = await link.getAttribute('data-stop-group');
    const count = Number(
      await page.getAttribute(`tr[data-stop-group="${group}"] td[data-field="count"]`, 'data-value'),
    );
    expect(count).toBeGreaterThan(0);
    await link.click();
    expect(await page.locator('[data-task-arn].hl').count()).toBe(count);
    await page.close();
  });

  it('zooms and pans on the time axis, and reads in dark mode too', async () => {
    const { page, errors } = await open(reportFile, 'dark');
    const transform = () => page.getAttribute('#plot', 'transform');
    const before = await transform();
    await page.click('[data-zoom="in"]');
    await expect.poll(transform).not.toBe(before);
    await page.click('[data-zoom="reset"]');
    await expect.poll(transform).toBe(before);
    const bg = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(bg).toBe('rgb(13, 17, 23)');
    await page.screenshot({ path: join(OUTPUT, 'report-dark.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('--service keeps one service: its bars only', async () => {
    const out = join(dir, 'api.html');
    const r = await cli(
      'report',
      '--cluster',
      clusterArn,
      '--service',
      'api',
      '--since',
      iso(SINCE),
      '--until',
      iso(UNTIL),
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const { page } = await open(out);
    const arns = await page.$$eval('[data-task-arn]', (els) => els.map((el) => el.getAttribute('data-task-arn')));
    expect(new Set(arns)).toEqual(new Set(oracleTasks(events, clusterArn, 'api').keys()));
    expect(await page.title()).toContain('prod / api');
    // Calls of other services and of their tasks are left out; the cluster's stay.
    const calls = await page.$$eval('#chart .call', (els) => els.map((el) => el.getAttribute('data-resource-arn')));
    expect(calls).toContain(FIXTURE_CLUSTER);
    const services = calls.filter((a) => /:service\//.test(String(a)));
    expect(services.length).toBeGreaterThan(0);
    expect(services.filter((a) => !String(a).endsWith('/api'))).toEqual([]);
    expect(calls.filter((a) => /:task\//.test(String(a)) && !arns.includes(a))).toEqual([]);
    await page.close();
  });
});
