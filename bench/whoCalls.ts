// `who --since 30d` at scale (issue 22): one cluster with 10,000 ECS API calls over 30 days, written
// straight into a fresh log table (BatchWriteItem of the items ingest would write; the load is not
// timed), then the command's own read and grouping (infra/callQueries.ts queryCalls and
// domain/apiCalls/joins.ts activityByPrincipal), in-process: the median of 3 runs, and the requests
// one run makes. Target: < 2 s on the local stack.
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { activityByPrincipal } from '../domain/apiCalls/joins.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { logEntriesOf } from '../domain/logEntries.js';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { queryCalls } from '../infra/callQueries.js';
import { createTables } from '../infra/tableAdmin.js';
import { startDynamoLocal } from '../local/dynamoLocal.js';
import { localEnv } from '../local/localStack.js';
import { seededRandom } from '../sim/random.js';
import { benchDocumentClient, benchTables, dropTables } from './support/localDb.js';
import { median, round, say } from './support/measure.js';
import { countRequests } from './support/requestCounter.js';

const FIXTURES = new URL('../test/fixtures/cloudtrail/', import.meta.url);
const CLUSTER = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
const DAY = 86_400_000;

export interface WhoFigure {
  readonly calls: number;
  readonly items: number;
  readonly days: number;
  readonly principals: number;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  /** Queries one run makes (one per UTC day of the window), and the index entries they return. */
  readonly queries: number;
  readonly entries: number;
}

/** `calls` calls spread over `days` days before now: the fixtures' records, each with its own id, time and session. */
export function generateCalls(calls: number, days: number, seed = 22): EcsEvent[] {
  const templates = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as EcsEvent);
  const rng = seededRandom(seed);
  const start = Date.now() - days * DAY;
  return Array.from({ length: calls }, (_, i) => {
    const t = templates[i % templates.length] as EcsEvent;
    const at = new Date(start + Math.floor(((i + rng()) * days * DAY) / calls)).toISOString().replace(/\.\d+Z$/, 'Z');
    const identity = structuredClone(t.detail.userIdentity) as Record<string, unknown>;
    // Forty sessions of each role, so the principals are many, as in an estate.
    if (typeof identity.arn === 'string' && identity.type === 'AssumedRole') {
      identity.arn = `${identity.arn}-${i % 40}`;
    }
    return {
      ...t,
      id: `bench-${i}`,
      time: at,
      detail: { ...t.detail, eventID: `bench-call-${i}`, eventTime: at, userIdentity: identity },
    };
  });
}

async function load(doc: DynamoDBDocumentClient, table: string, events: readonly EcsEvent[]): Promise<number> {
  const items = events.flatMap((e) => {
    const parsed = parseEvent(e, { redactEnvironment: true });
    if (!parsed.ok) throw new Error(`bench call refused: ${parsed.rejection.message}`);
    return logEntriesOf(parsed.value).map((entry) => toLogItem(entry, { ingestedAt: Date.now(), ingestId: 'bench' }));
  });
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const write = async (batch: typeof items) => {
    let pending: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const r = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
      pending = (r.UnprocessedItems?.[table] ?? []) as Record<string, unknown>[];
    }
  };
  for (let i = 0; i < batches.length; i += 16) await Promise.all(batches.slice(i, i + 16).map(write));
  return items.length;
}

export async function measureWhoCalls(
  options: { calls?: number; days?: number; runs?: number } = {},
): Promise<WhoFigure> {
  const calls = options.calls ?? 10_000;
  const days = options.days ?? 30;
  const runs = options.runs ?? 3;
  say(`\nwho --since ${days}d over ${calls.toLocaleString('en-US')} calls of one cluster…`);
  const client = new DynamoDBClient({});
  const doc = benchDocumentClient();
  const tables = benchTables('who');
  try {
    await createTables(client, tables);
    const items = await load(doc, tables.eventLog, generateCalls(calls, days));
    const counter = countRequests(doc);
    const window = { sinceMs: Date.now() - days * DAY, untilMs: Date.now() + 1 };
    const runsMs: number[] = [];
    let principals = 0;
    let entries = 0;
    let queries = 0;
    for (let r = 0; r < runs; r++) {
      const before = counter.counts.reads;
      const t = performance.now();
      const found = await queryCalls(doc, tables.eventLog, CLUSTER, window);
      principals = activityByPrincipal(found).length;
      runsMs.push(Math.round(performance.now() - t));
      entries = found.length;
      queries = counter.counts.reads - before;
    }
    const figure = { calls, items, days, principals, runsMs, medianMs: median(runsMs), queries, entries };
    say(
      `  ${figure.medianMs} ms (median of ${runs}: ${runsMs.join(', ')}), ${queries} Queries, ${entries} index entries, ${principals} principals`,
    );
    return figure;
  } finally {
    await dropTables(client, tables);
    doc.destroy();
    client.destroy();
  }
}

export const whoTargets = (f: WhoFigure) => [
  {
    target: `who --since ${f.days}d over ${f.calls.toLocaleString('en-US')} calls of one cluster < 2 s (median of ${f.runsMs.length}, in-process)`,
    value: `${round(f.medianMs / 1000, 2)} s, ${f.queries} Queries`,
    met: f.medianMs < 2000,
  },
];

// `npx tsx bench/whoCalls.ts [calls]`: this figure alone, on a DynamoDB Local of its own.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dynamo = await startDynamoLocal();
  Object.assign(process.env, localEnv(dynamo.endpoint));
  try {
    const figure = await measureWhoCalls({ calls: process.argv[2] ? Number(process.argv[2]) : undefined });
    for (const t of whoTargets(figure)) say(`${t.met ? 'met' : 'NOT MET'}: ${t.target}: ${t.value}`);
  } finally {
    await dynamo.stop();
  }
}
