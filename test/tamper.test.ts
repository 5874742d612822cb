// Tampering with the log, on DynamoDB Local: an unconditional PutItem over a logged event, a DeleteItem,
// and a TTL-style removal, read from the real stream by the poller into the real projector. Then what
// rebuild, verify, verify --repair and verify --log make of it.
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStoredEvent, encodeEvent } from '../domain/eventCodec.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { TAMPER_SUFFIX, type TamperReport, TTL_IDENTITY } from '../domain/tamper.js';
import type { ProjectorCounts } from '../functions/projector.js';
import { unmarshallImage } from '../functions/streamImage.js';
import type { Pipeline } from '../local/localStack.js';
import { MemoryCheckpointStore } from '../local/streamCheckpoints.js';
import { seededRandom } from '../sim/random.js';
import { rebuild } from '../usecases/rebuild.js';
import { verify } from '../usecases/verify.js';
import { verifyLog } from '../usecases/verifyLog.js';
import { logScanOf, scanAll, testPipeline } from './support/pipeline.js';
import { manyVersions, TTL_DAYS } from './support/rebuildFixtures.js';
import { runCli } from './support/runCli.js';

let p: Pipeline;
// One checkpoint store for every poller of the file: each drain continues where the previous one stopped.
const checkpoints = new MemoryCheckpointStore();
beforeAll(async () => {
  p = await testPipeline(import.meta.filename);
});
afterAll(() => p.client.destroy());

type BatchResult = { counts: ProjectorCounts; tampered: TamperReport[]; batchItemFailures: unknown[] };

/** Drains the log's stream through the real projector; returns what every batch said. */
async function drain(client?: DynamoDBStreamsClient) {
  const batches: BatchResult[] = [];
  const poller = p.poller({
    checkpoints,
    ...(client && { client }),
    onBatch: ({ response }) => batches.push(response as unknown as BatchResult),
  });
  await poller.drain();
  const sum = (k: keyof ProjectorCounts) => batches.reduce((n, b) => n + b.counts[k], 0);
  return {
    stats: poller.stats,
    tampered: batches.flatMap((b) => b.tampered),
    failures: batches.flatMap((b) => b.batchItemFailures),
    projected: sum('projected'),
    counted: sum('tampered'),
  };
}

const log = (arn: string, version: number) =>
  p.doc.send(new GetCommand({ TableName: p.tables.eventLog, Key: { arn, version }, ConsistentRead: true }));
const taskRow = async (arn: string) =>
  (await p.doc.send(new GetCommand({ TableName: p.tables.taskState, Key: { taskArn: arn }, ConsistentRead: true })))
    .Item;
const options = () => ({
  ...logScanOf(p),
  ttlDays: TTL_DAYS,
  segments: 2,
  settle: async () => {},
});

let events: EcsEvent[];
const taskArns = () => [...new Set(events.filter((e) => e.detail.taskArn).map((e) => e.detail.taskArn as string))];
const latestVersion = (arn: string) =>
  Math.max(...events.filter((e) => e.detail.taskArn === arn).map((e) => e.detail.version as number));

describe('log tampering', () => {
  let target: string;
  let version: number;
  let original: Record<string, unknown>;
  let rowBefore: Record<string, unknown> | undefined;

  it('reports an unconditional PutItem over a logged event as tampering: old image kept, row unchanged, shard not blocked', async () => {
    events = manyVersions(seededRandom(41), { tasks: 4, instances: 1, versions: 3 });
    for (const e of events) await p.ingest(e);
    expect((await drain()).tampered).toEqual([]);

    target = taskArns()[0] as string;
    version = latestVersion(target);
    original = (await log(target, version)).Item as Record<string, unknown>;
    rowBefore = await taskRow(target);
    expect(rowBefore?.version).toBe(version);

    // Someone with PutItem on the table (what the deployed resource policy now denies) rewrites history.
    const forged = JSON.parse(decodeStoredEvent(original));
    forged.detail.lastStatus = 'DEACTIVATING';
    forged.detail.stoppedReason = 'forged';
    await p.doc.send(
      new PutCommand({
        TableName: p.tables.eventLog,
        Item: { ...original, event: encodeEvent(JSON.stringify(forged)).value, lastStatus: 'DEACTIVATING' },
      }),
    );
    // Appends after it on the same stream: they must still be projected.
    const later = manyVersions(seededRandom(42), { tasks: 2, instances: 0, versions: 2, firstId: 900 });
    for (const e of later) await p.ingest(e);
    events.push(...later);

    const run = await drain();
    expect(run.counted).toBe(1);
    expect(run.tampered).toHaveLength(1);
    const [report] = run.tampered as [TamperReport];
    expect(report).toMatchObject({ key: { arn: target, version }, change: 'MODIFY' });
    expect(report.sequenceNumber).toMatch(/^\d+$/);
    // The old image is the item as ingest wrote it, exactly (DynamoDB JSON, ready for PutItem).
    expect(unmarshallImage(report.oldImage)).toEqual(original);
    // Not projected; the row is as it was; nothing failed, nothing retried or skipped: the shard moved on.
    expect(await taskRow(target)).toEqual(rowBefore);
    expect(run.failures).toEqual([]);
    expect(run.stats).toMatchObject({ retries: 0, skipped: 0 });
    for (const arn of new Set(later.map((e) => e.detail.taskArn as string))) {
      expect((await taskRow(arn))?.version).toBe(latestVersion(arn));
    }
    // The key is recorded in the log itself, by a marker the projector then reads as history.
    const marker = (await log(`${target}${TAMPER_SUFFIX}`, version)).Item;
    expect(marker).toMatchObject({ detailType: 'Log Tampered', tamperedArn: target, change: 'MODIFY' });
    expect(marker?.originalDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not report a TTL removal; reports any other DeleteItem', async () => {
    const [, ttlArn, deletedArn] = taskArns() as [string, string, string];
    // DynamoDB Local records its own TTL deletions without userIdentity, under an eventName its SDK does not
    // know (checked on DynamoDB Local 2: docs/guarantees.md). TTL takes minutes to run there, so the test
    // deletes the item itself and relabels that one stream record as DynamoDB Local's TTL record; the
    // poller turns it into what Lambda delivers (REMOVE by the DynamoDB service).
    const ttlKey = JSON.stringify(marshall({ arn: ttlArn, version: 1 }));
    const streams = new DynamoDBStreamsClient(p.clientSettings);
    streams.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        for (const r of (out.output as { Records?: { eventName?: string; dynamodb?: { Keys?: unknown } }[] }).Records ??
          []) {
          if (r.eventName === 'REMOVE' && JSON.stringify(r.dynamodb?.Keys) === ttlKey) {
            r.eventName = 'UNKNOWN_TO_SDK_VERSION';
          }
        }
        return out;
      },
      { step: 'initialize' },
    );
    await p.doc.send(new DeleteCommand({ TableName: p.tables.eventLog, Key: { arn: ttlArn, version: 1 } }));
    await p.doc.send(new DeleteCommand({ TableName: p.tables.eventLog, Key: { arn: deletedArn, version: 1 } }));
    try {
      const run = await drain(streams);
      expect(run.tampered.map((t) => [t.change, t.key.arn, t.key.version])).toEqual([['REMOVE', deletedArn, 1]]);
      expect(run.tampered[0]?.oldImage).toBeDefined();
      expect(run.failures).toEqual([]);
    } finally {
      streams.destroy();
    }
  });

  it('classifies Lambda-shaped records: TTL REMOVE is expiry, MODIFY and other REMOVEs are tampering', async () => {
    const record = (eventName: 'MODIFY' | 'REMOVE', userIdentity?: unknown): DynamoDBRecord => ({
      eventName,
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:1:table/x/stream/1',
      ...(userIdentity !== undefined && { userIdentity }),
      dynamodb: {
        Keys: marshall({ arn: 'arn:aws:ecs:us-east-1:1:task/c/abc', version: 3 }) as never,
        SequenceNumber: String(Date.now()),
      },
    });
    const out = await p.projector({
      Records: [
        record('REMOVE', TTL_IDENTITY),
        record('REMOVE', { type: 'Service', principalId: 'someone.amazonaws.com' }),
        record('MODIFY', TTL_IDENTITY),
      ],
    });
    expect(out.tampered.map((t) => t.change)).toEqual(['REMOVE', 'MODIFY']);
    expect(out.counts).toMatchObject({ tampered: 2, failed: 0, projected: 0 });
    expect(out.batchItemFailures).toEqual([]);
  });

  it('rebuild and verify exclude and report the tampered keys; the tampered content never reaches a row', async () => {
    const report = await rebuild({ ...options(), targets: { task: `${p.tables.taskState}-rb` } });
    expect(report.excluded).toBe(1);
    const states = Object.fromEntries(report.tampered.map((t) => [`${t.arn} v${t.version}`, t.state]));
    expect(states[`${target} v${version}`]).toBe('excluded');
    const rebuilt = (
      await p.doc.send(new GetCommand({ TableName: `${p.tables.taskState}-rb`, Key: { taskArn: target } }))
    ).Item;
    // Rebuilt from the versions that were not tampered with: never the forged one.
    expect(rebuilt?.version).toBe(version - 1);
    expect(rebuilt?.lastStatus).not.toBe('DEACTIVATING');

    const checked = await verify(options());
    expect(checked.clean).toBe(false);
    expect(checked.drift.map((d) => d.arn)).not.toContain(target);
    expect(checked.tampered.find((t) => t.arn === target)).toMatchObject({
      version,
      change: 'MODIFY',
      state: 'excluded',
    });
    const repaired = await verify({ ...options(), repair: true });
    expect(repaired.drift.map((d) => d.arn)).not.toContain(target);
    // The row is left alone: it still holds what ingest logged.
    expect(await taskRow(target)).toEqual(rowBefore);

    const cli = await runCli(['verify', '--settle', '0'], p.tables);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/Tampered log keys/);
    expect(cli.stdout).toMatch(/MODIFY\s+task\/.*excluded/);
  });

  it('verify --log reports items that are not what ingest wrote for their raw event', async () => {
    const [, , , other] = taskArns() as string[];
    const v = latestVersion(other as string);
    // An edited query attribute (no stream old image needed to see it), and a raw event under another key.
    await p.doc.send(
      new UpdateCommand({
        TableName: p.tables.eventLog,
        Key: { arn: other, version: v },
        UpdateExpression: 'SET #t = :t',
        ExpressionAttributeNames: { '#t': 'eventTime' },
        ExpressionAttributeValues: { ':t': 1 },
      }),
    );
    const moved = (await log(other as string, v - 1)).Item as Record<string, unknown>;
    await p.doc.send(new PutCommand({ TableName: p.tables.eventLog, Item: { ...moved, version: v + 40 } }));

    const report = await verifyLog({ doc: p.doc, client: p.client, eventLog: p.tables.eventLog, segments: 2 });
    const problems = Object.fromEntries(report.mismatches.map((m) => [`${String(m.arn)} v${m.version}`, m.problems]));
    expect(problems[`${other} v${v}`]).toEqual([expect.stringMatching(/^eventTime: stored 1, the event gives \d+/)]);
    expect(problems[`${other} v${v + 40}`]).toEqual([`version: stored ${v + 40}, the event gives ${v - 1}`]);
    // The forged item of the first test: its summary copy matches its (forged) event, so only the
    // stream saw that one; the markers are counted, not checked.
    expect(Object.keys(problems)).toHaveLength(2);
    expect(report.markers).toBe(3);
    expect(report.clean).toBe(false);

    const cli = await runCli(['verify', '--log', '--json'], p.tables);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ checked: report.checked, markers: report.markers });
    expect((await runCli(['verify', '--log', '--repair'], p.tables)).code).toBe(2);
  });

  it('trusts a tampered key again once its original content is restored on purpose', async () => {
    // The break-glass copy-back (docs/operations.md): the old image from the report, put back as it was.
    await p.doc.send(new PutCommand({ TableName: p.tables.eventLog, Item: original }));
    const run = await drain();
    // The restore is itself a MODIFY: reported like any, and the marker already there stays.
    expect(run.tampered.map((t) => [t.change, t.key.arn])).toContainEqual(['MODIFY', target]);
    const checked = await verify(options());
    expect(checked.tampered.find((t) => t.arn === target)?.state).toBe('trusted');
    const report = await rebuild({ ...options(), targets: { task: `${p.tables.taskState}-rb2` } });
    const rebuilt = (
      await p.doc.send(new GetCommand({ TableName: `${p.tables.taskState}-rb2`, Key: { taskArn: target } }))
    ).Item;
    expect(rebuilt?.version).toBe(version);
    // Still excluded: the item whose eventTime the previous test edited (a MODIFY the stream saw too).
    expect(report.excluded).toBe(1);
    expect(report.tampered.map((t) => t.state).sort()).toEqual(['excluded', 'removed', 'removed', 'trusted']);
    const markers = (await scanAll(p.doc, p.tables.eventLog)).filter((i) => String(i.arn).endsWith(TAMPER_SUFFIX));
    expect(markers).toHaveLength(4);
  });
});
