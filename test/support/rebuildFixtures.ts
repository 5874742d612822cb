// Shared by the rebuild and verify suites: workloads, the oracle ("what a fresh projection of the log
// gives", computed with the domain's own latestPerResource, not with rebuild's streaming reducer),
// and ways to damage the latest-state tables.
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { EcsEvent } from '../../domain/eventTypes.js';
import { isExpired } from '../../domain/expiry.js';
import { KINDS, type StateKind } from '../../domain/kinds.js';
import { toLogItem } from '../../domain/logItem.js';
import { parseEvent } from '../../domain/parseEvent.js';
import { latestPerResource, type Projection, project } from '../../domain/projection.js';
import type { TableNames } from '../../infra/config.js';
import type { Pipeline } from '../../local/localStack.js';
import { generateWorkload } from '../../sim/clusterWorkload.js';
import { type Random, shuffle } from '../../sim/random.js';
import { inParallel } from '../../usecases/inParallel.js';
import { scanAll } from './pipeline.js';

export const TTL_DAYS = 30;
const HOUR = 3_600_000;

/** A generated estate in the recent past (nothing has expired), appended to the log (not yet projected). */
export async function appendWorkload(
  pipeline: Pipeline,
  rng: Random,
  options: { tasks: number; instances: number },
): Promise<EcsEvent[]> {
  const events = generateWorkload(rng, { clusters: 2, startMs: Date.now() - 8 * HOUR, spanMs: 6 * HOUR, ...options });
  await appendToLog(pipeline.doc, pipeline.tables.eventLog, events);
  return events;
}

/**
 * Appends events straight to the log with BatchWriteItem (25 a request), as the items ingest would
 * write (domain parseEvent + toLogItem): a fast way to build a big log for tests that only read it.
 */
export async function appendToLog(doc: DynamoDBDocumentClient, eventLog: string, events: readonly EcsEvent[]) {
  const items = events.map((e, i) => {
    const parsed = parseEvent(e, { redactEnvironment: true });
    if (!parsed.ok) throw new Error(`fixture event ${i} refused: ${parsed.rejection.message}`);
    return toLogItem(parsed.value, { ingestedAt: Date.now(), ingestId: `fixture-${i}` });
  });
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, b) => items.slice(b * 25, b * 25 + 25));
  await inParallel(batches, 4, async (batch) => {
    let request: Record<string, unknown>[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
    while (request?.length) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [eventLog]: request as never } }));
      request = out.UnprocessedItems?.[eventLog] as Record<string, unknown>[] | undefined;
    }
  });
}

export async function ingestAll(pipeline: Pipeline, events: readonly unknown[]): Promise<void> {
  await inParallel(events, 16, async (e) => {
    await pipeline.ingest(e);
  });
}

/** Many versions per resource: `tasks` tasks × `versions` events, `instances` instances × `versions` events. */
export function manyVersions(
  rng: Random,
  options: { tasks: number; instances: number; versions: number; startMs?: number; firstId?: number },
): EcsEvent[] {
  const start = options.startMs ?? Date.now() - 4 * HOUR;
  const id = (n: number, pad: string) => (n + (options.firstId ?? 0)).toString(16).padStart(32, pad);
  const cluster = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
  const events: EcsEvent[] = [];
  const envelope = (detailType: EcsEvent['detail-type'], arn: string, t: number, detail: Record<string, unknown>) =>
    ({
      version: '0',
      id: `${arn.slice(-8)}-${detail.version}`,
      'detail-type': detailType,
      source: 'aws.ecs',
      account: '111122223333',
      time: new Date(t).toISOString(),
      region: 'us-east-1',
      resources: [arn],
      detail,
    }) as EcsEvent;
  for (let n = 0; n < options.tasks; n++) {
    const taskArn = `arn:aws:ecs:us-east-1:111122223333:task/prod/${id(n, '0')}`;
    for (let v = 1; v <= options.versions; v++) {
      const t = start + v * 1000 + n;
      const last = v === options.versions;
      events.push(
        envelope('ECS Task State Change', taskArn, t, {
          taskArn,
          clusterArn: cluster,
          version: v,
          lastStatus: last ? 'STOPPED' : v === 1 ? 'PENDING' : 'RUNNING',
          desiredStatus: last ? 'STOPPED' : 'RUNNING',
          containers: [{ name: 'web', lastStatus: last ? 'STOPPED' : 'RUNNING', exitCode: last ? 0 : undefined }],
          cpuUtilisationSample: Math.floor(rng() * 1000),
          updatedAt: new Date(t).toISOString(),
        }),
      );
    }
  }
  for (let n = 0; n < options.instances; n++) {
    const containerInstanceArn = `arn:aws:ecs:us-east-1:111122223333:container-instance/prod/${id(n, 'a')}`;
    for (let v = 1; v <= options.versions; v++) {
      const t = start + v * 1000 + n;
      events.push(
        envelope('ECS Container Instance State Change', containerInstanceArn, t, {
          containerInstanceArn,
          clusterArn: cluster,
          version: v,
          status: 'ACTIVE',
          agentConnected: v % 2 === 0,
          remainingResources: [{ name: 'CPU', type: 'INTEGER', integerValue: Math.floor(rng() * 2048) }],
          updatedAt: new Date(t).toISOString(),
        }),
      );
    }
  }
  return shuffle(rng, events);
}

export type Rows = Record<StateKind, Map<string, Record<string, unknown>>>;

/** What DynamoDB stores of a row: undefined attributes dropped. */
export const stored = (row: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(row));

/**
 * The oracle: every log item projected, the highest version per resource kept (domain
 * latestPerResource), expired ones dropped (TTL removes them). Independent of rebuild's reducer.
 */
export async function freshProjection(
  doc: DynamoDBDocumentClient,
  eventLog: string,
  nowMs = Date.now(),
): Promise<Rows> {
  const projections: Projection[] = [];
  for (const item of await scanAll(doc, eventLog)) {
    const outcome = project(item as never, { ttlDays: TTL_DAYS });
    if (outcome.type === 'state') projections.push(outcome.projection);
  }
  const rows: Rows = { task: new Map(), instance: new Map() };
  for (const p of latestPerResource(projections).values()) {
    if (!isExpired(p, nowMs)) rows[p.kind].set(p.arn, stored(p.row));
  }
  return rows;
}

/** The rows of the two latest-state tables, by ARN. */
export async function readRows(doc: DynamoDBDocumentClient, tables: Pick<TableNames, 'taskState' | 'instanceState'>) {
  const byArn = async (table: string, kind: StateKind) =>
    new Map((await scanAll(doc, table)).map((r) => [r[KINDS[kind].state.key] as string, r]));
  return { task: await byArn(tables.taskState, 'task'), instance: await byArn(tables.instanceState, 'instance') };
}

/** Sorted entries, so that toEqual shows a readable difference. */
export const entries = (rows: Map<string, Record<string, unknown>>) => [...rows].sort(([a], [b]) => a.localeCompare(b));

/** The projection of an older log item of this resource, as a row (a realistic stale row). */
export async function olderRow(
  doc: DynamoDBDocumentClient,
  eventLog: string,
  arn: string,
  below: number,
): Promise<Record<string, unknown>> {
  const items = (await scanAll(doc, eventLog)).filter((i) => i.arn === arn && (i.version as number) < below);
  const item = items.sort((a, b) => (b.version as number) - (a.version as number))[0];
  const outcome = project(item as never, { ttlDays: TTL_DAYS });
  if (outcome.type !== 'state') throw new Error(`no older version of ${arn}`);
  return stored(outcome.projection.row);
}

export const damage = {
  async remove(doc: DynamoDBDocumentClient, table: string, kind: StateKind, arn: string) {
    await doc.send(new DeleteCommand({ TableName: table, Key: { [KINDS[kind].state.key]: arn } }));
  },
  async put(doc: DynamoDBDocumentClient, table: string, row: Record<string, unknown>) {
    await doc.send(new PutCommand({ TableName: table, Item: row }));
  },
  /** Same version, wrong fields: a changed status and an attribute no projection writes. */
  async corrupt(doc: DynamoDBDocumentClient, table: string, kind: StateKind, arn: string) {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { [KINDS[kind].state.key]: arn },
        UpdateExpression: 'SET #s = :s, #junk = :junk',
        ExpressionAttributeNames: { '#s': kind === 'task' ? 'lastStatus' : 'status', '#junk': 'junk' },
        ExpressionAttributeValues: { ':s': 'BOGUS', ':junk': 'left by a bad deploy' },
      }),
    );
  },
};

/** Counts the requests a real client sends, per command (SDK middleware inside the retry loop: every attempt). */
export function countRequests(client: {
  middlewareStack: { add(m: unknown, o: { step: 'finalizeRequest'; priority: 'low'; name: string }): void };
}): Record<string, number> {
  const counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const name = (context.commandName ?? '?').replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: `countRequests${Math.random()}` },
  );
  return counts;
}
