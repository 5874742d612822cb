import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../local/localStack.js';
import { seededRandom } from '../sim/random.js';
import { verify } from '../usecases/verify.js';
import { logScanOf, testPipeline } from './support/pipeline.js';
import {
  appendToLog,
  appendWorkload,
  countRequests,
  damage,
  entries,
  freshProjection,
  manyVersions,
  olderRow,
  readRows,
  TTL_DAYS,
} from './support/rebuildFixtures.js';
import { runCli } from './support/runCli.js';

const pipelines: Pipeline[] = [];
async function pipelineFor(label: string): Promise<Pipeline> {
  const p = await testPipeline(`${import.meta.filename}-${label}`);
  pipelines.push(p);
  return p;
}
afterAll(() => {
  for (const p of pipelines) p.client.destroy();
});

const HOUR = 3_600_000;
const noWait = async () => {};
const options = (p: Pipeline) => ({
  ...logScanOf(p),
  ttlDays: TTL_DAYS,
  segments: 2,
  settle: noWait,
});
const kindsAndArns = (drift: readonly { kind: string; arn: string }[]) => drift.map((d) => [d.kind, d.arn]);

describe('verify', () => {
  it('reports each kind of drift, and --repair re-projects exactly the drifted keys', async () => {
    const p = await pipelineFor('repair');
    await appendWorkload(p, seededRandom(17), { tasks: 25, instances: 4 });
    await p.poller().drain();
    const expected = await freshProjection(p.doc, p.tables.eventLog);
    const before = await readRows(p.doc, p.tables);
    expect(entries(before.task)).toEqual(entries(expected.task));
    expect((await verify(options(p))).clean).toBe(true);

    const tasks = [...before.task.values()];
    const stopped = tasks.find((r) => r.expiresAt !== undefined) as Record<string, unknown>;
    const running = tasks.filter((r) => r.expiresAt === undefined && (r.version as number) > 1);
    const arnOf = (r: Record<string, unknown> | undefined) => r?.taskArn as string;
    const [missing, stale, differs, ahead] = running.map(arnOf);
    const instance = [...before.instance.keys()][0] as string;
    const orphan = 'arn:aws:ecs:us-east-1:111122223333:task/prod/0rphan0000000000000000000000000';

    await damage.remove(p.doc, p.tables.taskState, 'task', missing as string);
    await damage.put(
      p.doc,
      p.tables.taskState,
      await olderRow(p.doc, p.tables.eventLog, stale as string, before.task.get(stale as string)?.version as number),
    );
    await damage.corrupt(p.doc, p.tables.taskState, 'task', differs as string);
    await p.doc.send(
      new UpdateCommand({
        TableName: p.tables.taskState,
        Key: { taskArn: ahead },
        UpdateExpression: 'SET #v = #v + :five',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':five': 5 },
      }),
    );
    await p.doc.send(
      new UpdateCommand({
        TableName: p.tables.taskState,
        Key: { taskArn: arnOf(stopped) },
        UpdateExpression: 'REMOVE expiresAt',
      }),
    );
    await damage.put(p.doc, p.tables.taskState, { ...(before.task.get(differs as string) ?? {}), taskArn: orphan });
    await damage.remove(p.doc, p.tables.instanceState, 'instance', instance);

    const report = await verify(options(p));
    expect(report.clean).toBe(false);
    const drifted = [
      ['ahead', ahead],
      ['differs', arnOf(stopped)],
      ['differs', differs],
      ['missing', instance],
      ['missing', missing],
      ['orphan', orphan],
      ['stale', stale],
    ].sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
    expect(kindsAndArns(report.drift)).toEqual(drifted);
    expect(report.counts).toEqual({ missing: 2, stale: 1, differs: 2, ahead: 1, orphan: 1 });
    expect(report.drift.find((d) => d.arn === arnOf(stopped))?.fields).toEqual(['expiresAt']);
    expect(report.rows).toBe(before.task.size + before.instance.size - 1 - 1 + 1);

    // Repair through a client that counts writes: one conditional write per drifted key, the orphan kept.
    const client = new DynamoDBClient({});
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const requests = countRequests(client);
    try {
      const repaired = await verify({ ...options(p), client, doc, repair: true });
      expect(repaired.repair).toMatchObject({ repaired: 6, orphansKept: 1 });
      expect(kindsAndArns(repaired.repair?.remaining ?? [])).toEqual([['orphan', orphan]]);
      expect(repaired.clean).toBe(false);
      expect((requests.PutItem ?? 0) + (requests.DeleteItem ?? 0)).toBe(6);
      const rows = await readRows(p.doc, p.tables);
      expect(entries(rows.instance)).toEqual(entries(before.instance));
      expect(rows.task.get(orphan)).toBeDefined();
      rows.task.delete(orphan);
      expect(entries(rows.task)).toEqual(entries(before.task));

      const withOrphans = await verify({ ...options(p), client, doc, repair: true, deleteOrphans: true });
      expect(withOrphans.repair).toMatchObject({ repaired: 1, orphansKept: 0, remaining: [] });
      expect(requests.DeleteItem).toBe(1);
    } finally {
      client.destroy();
    }
    const after = await readRows(p.doc, p.tables);
    expect(entries(after.task)).toEqual(entries(before.task));
    expect(await verify(options(p))).toMatchObject({ clean: true, drift: [], suspects: 0 });
  });

  it('does not report events still in flight on the stream: suspects are checked again after the settle', async () => {
    const p = await pipelineFor('inflight');
    const rng = seededRandom(23);
    await appendToLog(p.doc, p.tables.eventLog, manyVersions(rng, { tasks: 10, instances: 2, versions: 3 }));
    await p.poller().drain();
    // New versions of known resources and new resources, appended but not yet projected.
    await appendToLog(p.doc, p.tables.eventLog, manyVersions(rng, { tasks: 14, instances: 2, versions: 5 }));
    const poller = p.poller();

    const impatient = await verify(options(p));
    expect(impatient.counts).toMatchObject({ missing: 4, stale: 12 });

    const patient = await verify({ ...options(p), settle: () => poller.drain() });
    expect(patient.suspects).toBe(16);
    expect(patient).toMatchObject({ clean: true, drift: [] });
  });

  it('--since checks only the resources with log events after T; the CLI exits 1 on drift, 0 when repaired', async () => {
    const p = await pipelineFor('since');
    const rng = seededRandom(29);
    const old = manyVersions(rng, { tasks: 6, instances: 1, versions: 3, startMs: Date.now() - 10 * HOUR });
    const recent = manyVersions(rng, { tasks: 4, instances: 1, versions: 3, startMs: Date.now() - HOUR, firstId: 64 });
    await appendToLog(p.doc, p.tables.eventLog, [...old, ...recent]);
    await p.poller().drain();
    const oldArn = old[0]?.detail.taskArn as string;
    const recentArn = recent[0]?.detail.taskArn as string;
    await damage.remove(p.doc, p.tables.taskState, 'task', oldArn);
    await damage.remove(p.doc, p.tables.taskState, 'task', recentArn);

    const since = await verify({ ...options(p), since: Date.now() - 3 * HOUR });
    expect(since.arns).toBe(5);
    expect(kindsAndArns(since.drift)).toEqual([['missing', recentArn]]);
    const full = await verify(options(p));
    expect(kindsAndArns(full.drift)).toEqual([oldArn, recentArn].sort().map((arn) => ['missing', arn]));

    const json = await runCli(['verify', '--json', '--settle', '0', '--since', '3h'], p.tables);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ clean: false, counts: { missing: 1 }, arns: 5 });
    const repaired = await runCli(['verify', '--repair', '--settle', '0'], p.tables);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toMatch(/Clean after the repair/);
    expect(repaired.stdout).toMatch(/missing\s+2/);
    const usage = await runCli(['verify', '--table', 'services'], p.tables);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--table must be task, instance or all, got "services"/);
  });
});
