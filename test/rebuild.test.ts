import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTable } from '../infra/tableAdmin.js';
import type { Pipeline } from '../local/localStack.js';
import { MemoryCheckpointStore } from '../local/streamCheckpoints.js';
import { seededRandom } from '../sim/random.js';
import { rebuild } from '../usecases/rebuild.js';
import { type RebuildCheckpoint, RebuildCheckpointFile } from '../usecases/rebuildCheckpoint.js';
import { verify } from '../usecases/verify.js';
import { testPipeline } from './support/pipeline.js';
import {
  appendToLog,
  appendWorkload,
  countRequests,
  damage,
  entries,
  freshProjection,
  ingestAll,
  manyVersions,
  olderRow,
  readRows,
  TTL_DAYS,
} from './support/rebuildFixtures.js';

const pipelines: Pipeline[] = [];
async function pipelineFor(label: string): Promise<Pipeline> {
  const p = await testPipeline(`${import.meta.filename}-${label}`);
  pipelines.push(p);
  return p;
}
afterAll(() => {
  for (const p of pipelines) p.client.destroy();
});

const targetsOf = (p: Pipeline, suffix = '') => ({
  task: `${p.tables.taskState}${suffix}`,
  instance: `${p.tables.instanceState}${suffix}`,
});
const base = (p: Pipeline) => ({ doc: p.doc, client: p.client, eventLog: p.tables.eventLog, ttlDays: TTL_DAYS });
const check = (p: Pipeline, suffix = '') =>
  verify({ ...base(p), targets: targetsOf(p, suffix), segments: 2, settle: async () => {} });

async function expectFreshProjection(p: Pipeline, suffix = '') {
  const [expected, rows] = await Promise.all([
    freshProjection(p.doc, p.tables.eventLog),
    readRows(p.doc, {
      taskState: `${p.tables.taskState}${suffix}`,
      instanceState: `${p.tables.instanceState}${suffix}`,
    }),
  ]);
  expect(entries(rows.task)).toEqual(entries(expected.task));
  expect(entries(rows.instance)).toEqual(entries(expected.instance));
  return expected;
}

/** One log with many versions per ARN, shared by the tests that rebuild it into tables of their own. */
const MANY = { tasks: 60, instances: 4, versions: 10 };
const MANY_ARNS = MANY.tasks + MANY.instances;
let many: { p: Pipeline; events: number };
beforeAll(async () => {
  const p = await pipelineFor('many');
  const events = manyVersions(seededRandom(9), MANY);
  await appendToLog(p.doc, p.tables.eventLog, events);
  many = { p, events: events.length };
});

describe('rebuild', () => {
  it('restores exactly the rows a fresh projection gives: deleted, older, corrupted rows and a dropped table', async () => {
    const p = await pipelineFor('damage');
    await appendWorkload(p, seededRandom(5), { tasks: 30, instances: 5 });
    await p.poller().drain();
    const before = await expectFreshProjection(p); // the live projector got it right
    const before_ = await readRows(p.doc, p.tables);

    const taskArns = [...before.task.keys()];
    const [deleted, older, corrupted] = [taskArns.slice(0, 4), taskArns.slice(4, 8), taskArns.slice(8, 12)];
    for (const arn of deleted) await damage.remove(p.doc, p.tables.taskState, 'task', arn);
    for (const arn of older) {
      const version = before.task.get(arn)?.version as number;
      await damage.put(p.doc, p.tables.taskState, await olderRow(p.doc, p.tables.eventLog, arn, version));
    }
    for (const arn of corrupted) await damage.corrupt(p.doc, p.tables.taskState, 'task', arn);
    await deleteTable(p.client, p.tables.instanceState);

    const drifted = await check(p);
    expect(drifted.clean).toBe(false);
    expect(drifted.counts).toEqual({
      missing: deleted.length + before.instance.size,
      stale: older.length,
      differs: corrupted.length,
      ahead: 0,
      orphan: 0,
    });
    expect(drifted.missingTables).toEqual([p.tables.instanceState]);

    // Without --force, rows at the log's version are left alone: only missing and older rows are written.
    const first = await rebuild({ ...base(p), targets: targetsOf(p), segments: 3 });
    expect(first).toMatchObject({
      complete: true,
      errors: 0,
      written: deleted.length + older.length + before.instance.size,
      createdTables: [p.tables.instanceState],
    });
    expect(first.arns).toBe(before.task.size + before.instance.size);
    expect(first.skippedNotNewer).toBe(first.arns - first.written);
    const afterFirst = await check(p);
    expect(afterFirst.drift.map((d) => [d.kind, d.arn])).toEqual(corrupted.sort().map((arn) => ['differs', arn]));
    expect(afterFirst.drift[0]?.fields).toEqual(['junk', 'lastStatus']);

    // --force rewrites rows of an equal version too (changed projection logic, corrupted fields).
    const forced = await rebuild({ ...base(p), targets: targetsOf(p), segments: 3, force: true });
    expect(forced).toMatchObject({ complete: true, written: forced.arns, skippedNotNewer: 0 });
    expect((await check(p)).clean).toBe(true);
    await expectFreshProjection(p);
    const after = await readRows(p.doc, p.tables);
    expect(entries(after.task)).toEqual(entries(before_.task));
    expect(entries(after.instance)).toEqual(entries(before_.instance));
  });

  it('writes once per distinct ARN on a log with many versions per ARN (PutItem counted on a real client)', async () => {
    const { p } = many;
    const client = new DynamoDBClient({});
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const requests = countRequests(client);
    try {
      // Small pages and several segments: resources cross page boundaries, and the count stays exact.
      const report = await rebuild({ ...base(p), doc, client, targets: targetsOf(p, '-w'), segments: 3, pageSize: 16 });
      expect(report).toMatchObject({ complete: true, scanned: many.events, arns: MANY_ARNS, written: MANY_ARNS });
      expect(requests.PutItem).toBe(MANY_ARNS);
      await expectFreshProjection(p, '-w');

      // Again: every put is refused by "only if newer", still one per ARN.
      const again = await rebuild({ ...base(p), doc, client, targets: targetsOf(p, '-w'), segments: 2 });
      expect(again).toMatchObject({ written: 0, skippedNotNewer: MANY_ARNS });
      expect(requests.PutItem).toBe(2 * MANY_ARNS);
    } finally {
      client.destroy();
    }
  });

  it('retries throttled writes with backoff and drops none', async () => {
    const { p } = many;
    // The SDK retries every injected throttle (its retry middleware sits outside the injection). Each
    // attempt has a 1 in 3 chance to be throttled again, so 10 attempts make giving up all but impossible;
    // a 1 ms backoff instead of the SDK's seconds keeps the test fast.
    const client = new DynamoDBClient({ retryStrategy: new ConfiguredRetryStrategy(10, 1) });
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    let puts = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand' && puts++ % 3 === 0) {
          throw new ProvisionedThroughputExceededException({ message: 'injected throttle', $metadata: {} });
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'throttleEveryThirdPut' },
    );
    try {
      const report = await rebuild({
        ...base(p),
        doc,
        client,
        targets: targetsOf(p, '-t'),
        segments: 2,
      });
      expect(report).toMatchObject({ complete: true, errors: 0, written: MANY_ARNS });
      expect(report.retries).toBeGreaterThanOrEqual(MANY_ARNS / 3);
      await expectFreshProjection(p, '-t');
    } finally {
      client.destroy();
    }
  });

  it('converges while the live projector consumes new events', async () => {
    const p = await pipelineFor('live');
    const rng = seededRandom(11);
    await appendWorkload(p, rng, { tasks: 25, instances: 3 });
    await p.poller().drain();
    const live = await freshProjection(p.doc, p.tables.eventLog);
    for (const arn of [...live.task.keys()].slice(0, 10)) await damage.remove(p.doc, p.tables.taskState, 'task', arn);

    const checkpoints = new MemoryCheckpointStore();
    const poller = p.poller({ batchSize: 10, checkpoints });
    const polling = poller.run(5);
    const more = manyVersions(rng, { tasks: 20, instances: 2, versions: 6 });
    const [report] = await Promise.all([
      rebuild({ ...base(p), targets: targetsOf(p), segments: 3, pageSize: 25 }),
      ingestAll(p, more),
    ]);
    poller.stop();
    await polling;
    const rest = p.poller({ checkpoints });
    await rest.drain();
    expect(poller.stats.skipped + rest.stats.skipped).toBe(0);
    expect(report.complete).toBe(true);
    await expectFreshProjection(p);
    expect((await check(p)).clean).toBe(true);
  });

  it('does not recreate expired rows, and deletes an older row of an expired resource', async () => {
    const p = await pipelineFor('expired');
    const longAgo = Date.now() - (TTL_DAYS + 5) * 86_400_000;
    const old = manyVersions(seededRandom(1), { tasks: 3, instances: 0, versions: 4, startMs: longAgo });
    const recent = manyVersions(seededRandom(2), { tasks: 2, instances: 0, versions: 4, firstId: 100 });
    await appendToLog(p.doc, p.tables.eventLog, [...old, ...recent]);
    const stoppedLongAgo = old[0]?.detail.taskArn as string;
    // A RUNNING row left over from before the task stopped (its STOPPED event was never projected).
    await damage.put(p.doc, p.tables.taskState, await olderRow(p.doc, p.tables.eventLog, stoppedLongAgo, 4));

    const report = await rebuild({ ...base(p), targets: targetsOf(p), segments: 2 });
    expect(report).toMatchObject({ arns: 5, written: 2, expired: 3 });
    const rows = await readRows(p.doc, p.tables);
    expect(rows.task.has(stoppedLongAgo)).toBe(false);
    expect(rows.task.size).toBe(2);
    expect((await check(p)).clean).toBe(true);
  });

  it('resumes after a real kill -9 and scans only what remained', async () => {
    const { p, events } = many;
    const dir = mkdtempSync(join(tmpdir(), 'rebuild-resume-'));
    const checkpointPath = join(dir, 'checkpoint.json');
    const args = ['--into=-r', '--segments', '2', '--page-size', '2', '--checkpoint', checkpointPath, '--json'];

    const killed = cli(['rebuild', ...args], p);
    const scannedAtKill = await pollUntil(() => {
      const cp = readCheckpoint(checkpointPath);
      return cp && scannedIn(cp) >= 60 ? scannedIn(cp) : undefined;
    });
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    const cp = readCheckpoint(checkpointPath) as RebuildCheckpoint;
    expect(cp.totalSegments).toBe(2);
    const scannedBefore = scannedIn(cp);
    expect(scannedBefore).toBeGreaterThanOrEqual(scannedAtKill);
    expect(scannedBefore).toBeLessThan(events);
    expect(cp.segments.some((s) => !s.done)).toBe(true);

    const resumed = await cli(['rebuild', ...args, '--resume'], p).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report.resumedFrom.scanned).toBe(scannedBefore);
    expect(report.scanned).toBe(events - scannedBefore);
    expect(report).toMatchObject({ complete: true, errors: 0 });
    expect(report.arns + report.resumedFrom.arns).toBe(MANY_ARNS);
    expect(existsSync(checkpointPath)).toBe(false);
    await expectFreshProjection(p, '-r');
  });

  it('refuses to resume a checkpoint taken with other options', async () => {
    const p = await pipelineFor('mismatch');
    const dir = mkdtempSync(join(tmpdir(), 'rebuild-mismatch-'));
    const checkpoint = new RebuildCheckpointFile(join(dir, 'cp.json'));
    checkpoint.save({
      format: 1,
      eventLog: p.tables.eventLog,
      targets: targetsOf(p),
      totalSegments: 4,
      force: false,
      startedAt: new Date().toISOString(),
      updatedAt: '',
      segments: [],
    });
    await expect(rebuild({ ...base(p), targets: targetsOf(p), segments: 2, checkpoint, resume: true })).rejects.toThrow(
      /--segments 4, not 2/,
    );
    await expect(rebuild({ ...base(p), targets: targetsOf(p, '-x'), checkpoint, resume: true })).rejects.toThrow(
      /cannot resume/,
    );
    const missing = new RebuildCheckpointFile(join(dir, 'none.json'));
    await expect(rebuild({ ...base(p), targets: targetsOf(p), checkpoint: missing, resume: true })).rejects.toThrow(
      /no rebuild to resume/,
    );
  });
});

// ---- the real CLI, in its own process ----

const BIN = join(import.meta.dirname, '..', 'bin', 'ecs-events.mjs');

function cli(args: string[], p: Pipeline) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      EVENT_LOG_TABLE: p.tables.eventLog,
      TASK_STATE_TABLE: p.tables.taskState,
      INSTANCE_STATE_TABLE: p.tables.instanceState,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

const readCheckpoint = (path: string): RebuildCheckpoint | undefined =>
  existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RebuildCheckpoint) : undefined;
const scannedIn = (cp: RebuildCheckpoint) => cp.segments.reduce((n, s) => n + s.scanned, 0);

/** Polls a condition (never a fixed sleep) until it yields a value. */
async function pollUntil<T>(probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
