import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import { codecOf } from '../domain/eventCodec.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { checkLogItem } from '../domain/logCheck.js';
import { toIso } from '../domain/time.js';
import type { TableNames } from '../infra/config.js';
import type { Pipeline } from '../local/localStack.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { eventsOf, previousFormatItems, writeLog } from './support/previousFormat.js';

// A log written by the code before issue 15 (plain-string events, index entries with clusterArn) must
// answer every command as a log of the same events written today does, rebuild the same rows, and
// still tell duplicates from conflicts.

const HOUR = 3_600_000;
const TASK = 'ECS Task State Change';

let before: Pipeline;
let today: Pipeline;
let items: Record<string, unknown>[];
let events: EcsEvent[];
let dir: string;

const byKey = (rows: Record<string, unknown>[], key: string) =>
  [...rows].sort((a, b) => String(a[key]).localeCompare(String(b[key])));

/**
 * Runs one `ecs-events` command in this process (a child process per command would take most of the
 * test's time), against one pair of tables, capturing what it writes.
 */
async function cli(args: string[], tables: TableNames): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    EVENT_LOG_TABLE: tables.eventLog,
    TASK_STATE_TABLE: tables.taskState,
    INSTANCE_STATE_TABLE: tables.instanceState,
  };
  const out: string[] = [];
  const err: string[] = [];
  const [write, writeErr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof writeErr;
  try {
    const code = await main(args, { env });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

/** Runs one command on both logs; their outputs must be the same once table names and timings are taken out. */
async function same(args: string[]): Promise<string> {
  const a = await cli(args, before.tables);
  const b = await cli(args, today.tables);
  const plain = (s: string, t: TableNames) =>
    Object.values(t)
      .reduce((text, name) => text.replaceAll(name, '<table>'), s)
      .replace(/Made by <code>ecs-events report<\/code> at [^ ]+ /, '')
      .replace(/"seconds": [\d.]+/g, '"seconds": 0')
      .replace(/ in [\d.]+ s\b/g, ' in 0 s');
  expect(a.code, `${args.join(' ')}: ${a.stderr}`).toBe(b.code);
  expect(plain(a.stdout, before.tables), args.join(' ')).toBe(plain(b.stdout, today.tables));
  // In one process the SDK's sockets may warn about listeners; only what the command says counts.
  const said = (s: string, t: TableNames) =>
    plain(s, t)
      .split('\n')
      .filter((l) => !/^\(node:\d+\)|^\(Use `node/.test(l))
      .join('\n');
  expect(said(a.stderr, before.tables), args.join(' ')).toBe(said(b.stderr, today.tables));
  return a.stdout;
}

beforeAll(async () => {
  items = previousFormatItems();
  events = eventsOf(items);
  [before, today] = await Promise.all([testPipeline('previous-format-before'), testPipeline('previous-format-today')]);
  await writeLog(before.doc, before.tables.eventLog, items);
  for (const e of events) await today.ingest(e);
  // The projector reads both from the stream: the old items' plain events and today's encoded ones.
  await Promise.all([before.poller().drain(), today.poller().drain()]);
  dir = mkdtempSync(join(tmpdir(), 'previous-format-'));
});
afterAll(() => {
  before?.client.destroy();
  today?.client.destroy();
});

describe('a log of the previous format', { timeout: 180_000 }, () => {
  it('holds the same events as today’s, in the old layout', async () => {
    const [old, now] = await Promise.all([
      scanAll(before.doc, before.tables.eventLog),
      scanAll(today.doc, today.tables.eventLog),
    ]);
    expect(old).toHaveLength(items.length);
    expect(now).toHaveLength(items.length);
    expect(old.every((i) => codecOf(i.event) === 'plain')).toBe(true);
    expect(old.filter((i) => i.timelineKey !== undefined).every((i) => typeof i.clusterArn === 'string')).toBe(true);
    expect(now.every((i) => codecOf(i.event) === 'deflate-ecs-1' && i.clusterArn === undefined)).toBe(true);
    // Both pass the tamper check (every attribute derives from the stored event), whatever the format.
    for (const i of [...old, ...now]) expect(checkLogItem(i), `${i.arn} v${i.version}`).toEqual({ type: 'ok' });
  });

  it('projects to the same rows, and rebuilds them identically', async () => {
    const rows = async (p: Pipeline, suffix = '') =>
      Promise.all([
        scanAll(p.doc, `${p.tables.taskState}${suffix}`).then((r) => byKey(r, 'taskArn')),
        scanAll(p.doc, `${p.tables.instanceState}${suffix}`).then((r) => byKey(r, 'containerInstanceArn')),
      ]);
    const projected = await rows(before);
    expect(projected[0].length).toBeGreaterThan(0);
    expect(await rows(today)).toEqual(projected);
    const rebuilt = [
      await cli(['rebuild', '--into=-rebuilt', '--json'], before.tables),
      await cli(['rebuild', '--into=-rebuilt', '--json'], today.tables),
    ];
    for (const r of rebuilt) expect(r.code, r.stderr).toBe(0);
    const [a, b] = rebuilt.map((r) => {
      const { scanned, arns, written, skippedNotNewer, expired, poison, errors } = JSON.parse(r.stdout);
      return { scanned, arns, written, skippedNotNewer, expired, poison, errors };
    });
    expect(a).toEqual(b);
    expect(a?.written).toBeGreaterThan(0);
    expect(await rows(before, '-rebuilt')).toEqual(projected);
    expect(await rows(today, '-rebuilt')).toEqual(projected);
    await same(['verify', '--json']);
  });

  describe('answers every command as today’s log does', () => {
    // The simulated estate's tasks (the AWS samples are years old: a window over them is 10^5 hours).
    const recent = () => items.filter((i) => (i.eventTime as number) > Date.now() - 7 * 24 * HOUR);
    const sinceMs = () =>
      Math.min(
        ...recent()
          .filter((i) => i.detailType === TASK)
          .map((i) => i.eventTime as number),
      );
    const window = () => [
      '--since',
      toIso(Math.floor(sinceMs() / HOUR) * HOUR - HOUR),
      '--until',
      toIso((Math.floor(Date.now() / HOUR) + 1) * HOUR),
    ];
    const clusters = () => [
      ...new Set(
        eventsOf(recent())
          .map((e) => e.detail.clusterArn)
          .filter((c) => typeof c === 'string'),
      ),
    ];
    const arns = () => {
      const first = (type: string) => items.filter((i) => i.detailType === type).map((i) => i.arn as string);
      return [
        ...first(TASK).slice(0, 2),
        ...first(TASK).slice(-1), // an AWS sample, years old
        ...first('ECS Container Instance State Change').slice(0, 1),
        ...first('ECS Service Action').slice(0, 1),
        ...first('ECS Deployment State Change').slice(0, 1),
      ];
    };

    it('history, changes and state of tasks, instances and services', async () => {
      for (const arn of arns()) {
        expect(JSON.parse(await same(['history', arn, '--json'])).items.length).toBeGreaterThan(0);
        await same(['changes', arn, '--json']);
        const at = items.filter((i) => i.arn === arn).map((i) => i.eventTime as number)[0] as number;
        await same(['state', arn, '--at', toIso(at + 1000), '--json']);
      }
    });

    it('timeline (all, by type, by status) and stopped, per cluster', async () => {
      for (const c of clusters()) {
        expect(
          JSON.parse(await same(['timeline', '--cluster', c, ...window(), '--json'])).items.length,
        ).toBeGreaterThan(0);
        await same(['timeline', '--cluster', c, ...window(), '--type', 'task', '--status', 'STOPPED', '--json']);
        await same(['timeline', '--cluster', c, ...window(), '--type', 'service', '--page-size', '3']);
        await same(['stopped', '--cluster', c, ...window(), '--json']);
      }
    });

    it('tasks and instances, stats and the lifecycle report, per cluster', async () => {
      for (const c of clusters()) {
        await same(['tasks', '--cluster', c, '--json']);
        await same(['tasks', '--cluster', c, '--status', 'RUNNING']);
        await same(['instances', '--cluster', c, '--json']);
        await same(['stats', '--cluster', c, ...window(), '--json']);
        await same(['report', '--cluster', c, ...window(), '--out', '-']);
      }
    });

    it('deployments and service events, per service', async () => {
      const services = [
        ...new Set(
          recent()
            .filter((i) => String(i.detailType).startsWith('ECS Deployment'))
            .map((i) => i.arn as string),
        ),
      ];
      expect(services.length).toBeGreaterThan(0);
      let deployments = 0;
      for (const s of services) {
        deployments += JSON.parse(await same(['deployments', '--service', s, ...window(), '--json'])).items.length;
        await same(['service-events', '--service', s, ...window(), '--json']);
      }
      expect(deployments).toBeGreaterThan(0);
    });
  });

  it('still tells duplicates from conflicts: a replay of its events is all duplicates, a changed one conflicts', async () => {
    const file = join(dir, 'events.ndjson');
    const task = events.find((e) => e['detail-type'] === TASK) as EcsEvent;
    const changed = { ...task, detail: { ...task.detail, lastStatus: 'SOMETHING ELSE' } };
    writeFileSync(file, `${[...events, changed].map((e) => JSON.stringify(e)).join('\n')}\n`);
    const a = await cli(['load', file, '--json'], before.tables);
    const b = await cli(['load', file, '--json'], today.tables);
    for (const r of [a, b]) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ appended: 0, duplicate: events.length, conflict: 1, rejected: 0 });
    }
    const stored = (await scanAll(before.doc, before.tables.eventLog)).find(
      (i) => i.arn === task.detail.taskArn && i.version === task.detail.version,
    );
    expect(stored?.event).toBe(JSON.stringify(task)); // the first one stays, in its old format
  });
});
