import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../domain/eventTypes.js';
import { toIso } from '../domain/time.js';
import { createDocumentClient } from '../infra/client.js';
import { queryClusterState } from '../infra/stateQueries.js';
import { freePort } from '../local/dynamoLocal.js';
import type { Pipeline } from '../local/localStack.js';
import { auditEvents, key, type OracleItem, oracle, oracleItems, START_MS } from './support/auditLog.js';
import { testPipeline } from './support/pipeline.js';
import { jsonItems, runCli } from './support/runCli.js';

const HOUR = 3_600_000;
const CLUSTER_1 = 'arn:aws:ecs:us-east-1:111122223333:cluster/cluster-1';
const BIN = fileURLToPath(new URL('../bin/ecs-events.mjs', import.meta.url));

let pipeline: Pipeline;
let events: EcsEvent[];
let items: OracleItem[];
let dir: string;
const cli = (...args: string[]) => runCli(args, pipeline.tables);

beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  events = auditEvents({ seed: 77, tasks: 24, instances: 4, clusters: 2, days: 2 });
  items = oracleItems(events);
  dir = mkdtempSync(join(tmpdir(), 'ecs-events-cli-'));
  writeFileSync(join(dir, 'events.ndjson'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
});
afterAll(() => pipeline.client.destroy());

describe('ecs-events load', () => {
  it('pushes NDJSON envelopes through the real ingest path, then on-failure queue records with rejections', async () => {
    const first = await cli('load', join(dir, 'events.ndjson'), '--json', '--concurrency', '16');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      appended: items.length,
      duplicate: events.length - items.length,
      conflict: 0,
      rejected: 0,
      rejections: [],
      conflicts: [],
    });
    await pipeline.poller().drain();

    // The ingest function's on-failure destination, read from SQS: each message body is a Lambda
    // destination record with the event as requestPayload.
    const destination = (event: unknown) => ({
      version: '1.0',
      requestContext: {
        condition: 'RetriesExhausted',
        functionArn: 'arn:aws:lambda:us-east-1:111122223333:function:ingest',
      },
      responsePayload: { errorType: 'Error', errorMessage: 'throttled' },
      requestPayload: event,
    });
    const [t0, t1, t2] = events.filter((e) => e['detail-type'] === 'ECS Task State Change') as [
      EcsEvent,
      EcsEvent,
      EcsEvent,
    ];
    const fresh = { ...t0, detail: { ...t0.detail, version: 999 } };
    const bad = { ...t1, id: 'bad-1', detail: { ...t1.detail, taskArn: 'nope' } };
    const messages = [t2, fresh, bad].map((e, i) => ({
      MessageId: `m${i}`,
      Body: JSON.stringify(destination(e)),
    }));
    messages.push({ MessageId: 'm3', Body: 'not json' });
    writeFileSync(join(dir, 'queue.json'), JSON.stringify({ Messages: messages }, null, 2));
    const second = await cli('load', join(dir, 'queue.json'), '--json');
    expect(second.code).toBe(1);
    const report = JSON.parse(second.stdout);
    expect(report).toMatchObject({ appended: 1, duplicate: 1, conflict: 0, rejected: 2 });
    expect(report.rejections).toEqual([
      expect.objectContaining({ at: 'item 2', eventId: 'bad-1', reason: 'ARN_INVALID' }),
      expect.objectContaining({ at: 'item 3', reason: 'INPUT_NOT_JSON' }),
    ]);
    items = oracleItems([...events, fresh]);
  });
});

describe('query commands against the oracle', () => {
  const stoppedTask = () =>
    items.find((i) => i.detailType === 'ECS Task State Change' && i.lastStatus === 'STOPPED' && i.version >= 4)
      ?.arn as string;

  it('history, changes and state of one task', async () => {
    const arn = stoppedTask();
    const expected = oracle.history(items, arn);
    const middle = expected[2] as OracleItem;
    const [history, changes, state, before] = await Promise.all([
      cli('history', arn, '--json', '--page-size', '2'),
      cli('changes', arn, '--ndjson'),
      cli('state', arn, '--at', toIso(middle.eventTime), '--json'),
      cli('state', arn, '--at', toIso((expected[0] as OracleItem).eventTime - 1)),
    ]);
    const rows = jsonItems<{ arn: string; version: number; eventTime: string; lastStatus: string }>(history);
    expect(rows.map(key)).toEqual(expected.map(key));
    expect(rows.map((r) => [r.eventTime, r.lastStatus])).toEqual(
      expected.map((e) => [toIso(e.eventTime), e.lastStatus]),
    );

    const versions = changes.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(versions.map((v: { version: number }) => v.version)).toEqual(expected.map((e) => e.version));
    expect(versions[1].changes).toContainEqual({
      field: 'lastStatus',
      from: expected[0]?.lastStatus,
      to: expected[1]?.lastStatus,
    });

    const [at] = jsonItems<{ version: number; detail: unknown }>(state);
    expect(at?.version).toBe(oracle.stateAt(items, arn, middle.eventTime)?.version);
    expect(at?.detail).toEqual(oracle.stateAt(items, arn, middle.eventTime)?.detail);

    expect(before.code).toBe(0);
    expect(before.stdout).toBe('');
    expect(before.stderr).toMatch(/did not exist yet at .*its first logged event \(version 1\)/);
  });

  it('timeline by cluster name, with type filter, limit and paging', async () => {
    const [since, until] = [START_MS + 2 * HOUR, START_MS + 30 * HOUR];
    const [all, services] = await Promise.all([
      cli(
        'timeline',
        '--cluster',
        'cluster-1',
        '--since',
        toIso(since),
        '--until',
        toIso(until),
        '--json',
        '--page-size',
        '5',
      ),
      cli(
        'timeline',
        '--cluster',
        CLUSTER_1,
        '--since',
        toIso(since),
        '--until',
        toIso(until),
        '--type',
        'service',
        '--ndjson',
        '--limit',
        '3',
      ),
    ]);
    const expected = oracle.timeline(items, CLUSTER_1, since, until);
    expect(expected.length).toBeGreaterThan(15);
    expect(jsonItems<OracleItem>(all).map(key)).toEqual(expected.map(key));
    const lines = services.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const expectedServices = oracle.timeline(items, CLUSTER_1, since, until, [
      'ECS Service Action',
      'ECS Deployment State Change',
    ]);
    expect(lines.map(key)).toEqual(expectedServices.slice(0, 3).map(key));
    expect(lines[0]).toMatchObject({ type: expect.stringMatching(/^(service|deployment)$/), clusterArn: CLUSTER_1 });
  });

  it('stopped groups and current tasks', async () => {
    const since = START_MS - HOUR;
    const until = START_MS + 3 * 24 * HOUR;
    const [stopped, tasks] = await Promise.all([
      cli('stopped', '--cluster', CLUSTER_1, '--since', toIso(since), '--until', toIso(until), '--json'),
      cli('tasks', '--cluster', CLUSTER_1, '--status', 'RUNNING', '--json', '--page-size', '3'),
    ]);
    expect(jsonItems(stopped)).toEqual(oracle.stopped(items, CLUSTER_1, since, until));
    const running = jsonItems<{ taskArn: string; version: number }>(tasks);
    expect(running.map((r) => `${r.taskArn}#${r.version}`).sort()).toEqual(
      oracle.latest(items, 'ECS Task State Change', CLUSTER_1, 'RUNNING').map(key).sort(),
    );
  });

  it('usage errors exit 2 naming the problem; a missing table exits 3 naming it and the endpoint', async () => {
    const [badTime, badArn, missing] = await Promise.all([
      cli('stopped', '--cluster', CLUSTER_1, '--since', '2026-11-02T00:00:00Z', '--until', 'yesterday'),
      cli('history', 'arn:aws:ecs:us-east-1:111122223333:cluster/prod'),
      runCli(['history', stoppedTask()], { ...pipeline.tables, eventLog: 'NoSuchLog' }),
    ]);
    expect([badTime.code, badArn.code, missing.code]).toEqual([2, 2, 3]);
    expect(badTime.stderr).toMatch(/--until: "yesterday" is not a time/);
    expect(badArn.stderr).toMatch(/<arn> must be an ECS task, container-instance, service ARN .*\(a cluster ARN\)/);
    expect(missing.stderr).toMatch(
      /^ecs-events history: table "NoSuchLog" does not exist at http:\/\/127\.0\.0\.1:\d+ \(set EVENT_LOG_TABLE.* \[TABLE_MISSING\]$/m,
    );
  });
});

describe('ecs-events local', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  // Its own JVM (that is what the command does): allow for a slow start on a busy machine.
  it('starts DynamoDB Local with the tables and the projector, prints the exports, and stops cleanly on SIGINT', {
    timeout: 240_000,
  }, async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, [BIN, 'local', '--in-memory', '--port', String(port)], {
      env: { ...process.env, EVENT_LOG_TABLE: '', TASK_STATE_TABLE: '', INSTANCE_STATE_TABLE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    proc.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
    const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 90_000) => {
      const deadline = Date.now() + ms;
      while (!(await ok())) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`${what}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('exports printed', () => stdout.includes('export INSTANCE_STATE_TABLE='));
    const env = Object.fromEntries(
      [...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    expect(env.AWS_ENDPOINT_URL_DYNAMODB).toBe(`http://127.0.0.1:${port}`);
    expect(env.EVENT_LOG_TABLE).toBe('ECSEventLog');

    // One task's events through `load`, then the running projector makes its row.
    const task = events.filter((e) => e.detail.taskArn === events.find((x) => x.detail.taskArn)?.detail.taskArn);
    writeFileSync(join(dir, 'one-task.json'), JSON.stringify(task));
    // runCli points at the run's DynamoDB Local; this load goes to the local stack's endpoint instead.
    const loaded = await new Promise<{ code: number | null; out: string }>((res) => {
      const p = spawn(process.execPath, [BIN, 'load', join(dir, 'one-task.json'), '--json'], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      p.stdout.on('data', (b: Buffer) => {
        out += b.toString();
      });
      p.once('exit', (code) => res({ code, out }));
    });
    expect(loaded.code).toBe(0);
    expect(JSON.parse(loaded.out)).toMatchObject({ appended: task.length, rejected: 0 });

    const doc = createDocumentClient({
      endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tables = {
      eventLog: env.EVENT_LOG_TABLE as string,
      taskState: env.TASK_STATE_TABLE as string,
      instanceState: env.INSTANCE_STATE_TABLE as string,
    };
    const clusterArn = task[0]?.detail.clusterArn as string;
    const latest = task.reduce((a, b) => ((b.detail.version as number) > (a.detail.version as number) ? b : a));
    await until('projected row', async () => {
      for await (const row of queryClusterState(doc, tables, 'task', clusterArn)) {
        if (row.version === latest.detail.version) return true;
      }
      return false;
    });
    doc.destroy();

    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/Stopped \(SIGINT\); \d+ row\(s\) projected/);
    // DynamoDB Local went down with it.
    const probe = new DynamoDBClient({
      endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await expect(probe.send(new ListTablesCommand({}))).rejects.toThrow();
    probe.destroy();
  });
});
