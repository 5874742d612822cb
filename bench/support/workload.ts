import { randomBytes } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ulid } from 'ulid';
import type { EcsEvent } from '../../domain/eventTypes.js';
import { isStateKind, KINDS, kindOfDetailType, type StateKind } from '../../domain/kinds.js';
import { type LogItem, toLogItem } from '../../domain/logItem.js';
import { parseEvent } from '../../domain/parseEvent.js';
import { lambdaImage } from '../../local/streamPoller.js';
import { generateWorkload } from '../../sim/clusterWorkload.js';
import { atLeastOnce, seededRandom } from '../../sim/random.js';

/** Deliveries per event are 1..MAX_COPIES, uniformly: about two on average. */
export const MAX_COPIES = 3;

/** One generated estate, delivered at least once in a shuffled order, with what the right answer is. */
export interface BenchWorkload {
  readonly seed: number;
  readonly tasks: number;
  readonly instances: number;
  /** Distinct events (each a distinct ARN + version). */
  readonly events: readonly EcsEvent[];
  /** What EventBridge hands over: every event 1..3 times, shuffled. */
  readonly deliveries: readonly EcsEvent[];
  /** The oracle: highest version per latest-state key (`task|arn`, `instance|arn`). */
  readonly oracle: ReadonlyMap<string, number>;
  /** The log items in stream order: the order in which ingest would first append each event. */
  readonly logItems: readonly LogItem[];
}

export const stateKey = (kind: string, arn: string): string => `${kind}|${arn}`;

const kindOf = (e: EcsEvent): StateKind => kindOfDetailType(e['detail-type']) as StateKind;
const arnOf = (e: EcsEvent): string => String(e.detail[KINDS[kindOf(e)].arnField]);

/**
 * Generates at least `minEvents` distinct events (tasks ≈ events / 5, one instance per 20 tasks), then
 * delivers each 1..3 times in a shuffled order. The same seed gives the same workload everywhere; only
 * the event times follow `startMs`, which should be recent so that no state is already past its TTL.
 */
export function buildWorkload(seed: number, minEvents: number, startMs: number): BenchWorkload {
  let tasks = Math.max(1, Math.ceil(minEvents / 5));
  for (;;) {
    const instances = Math.max(2, Math.ceil(tasks / 20));
    const rng = seededRandom(seed);
    const events = generateWorkload(rng, { tasks, instances, clusters: 3, startMs });
    if (events.length < minEvents) {
      tasks = Math.ceil(tasks * (minEvents / events.length) * 1.02);
      continue;
    }
    const deliveries = atLeastOnce(rng, events, MAX_COPIES);
    const oracle = new Map<string, number>();
    for (const e of events) {
      const kind = kindOfDetailType(e['detail-type']);
      if (kind === undefined || !isStateKind(kind)) continue;
      const key = stateKey(kind, arnOf(e));
      oracle.set(key, Math.max(oracle.get(key) ?? 0, e.detail.version as number));
    }
    return { seed, tasks, instances, events, deliveries, oracle, logItems: logItemsInStreamOrder(deliveries) };
  }
}

/** The log items ingest would append, in append order: a redelivery appends nothing. */
function logItemsInStreamOrder(deliveries: readonly EcsEvent[]): LogItem[] {
  const seen = new Set<string>();
  const items: LogItem[] = [];
  for (const delivery of deliveries) {
    const parsed = parseEvent(delivery, { redactEnvironment: true });
    if (!parsed.ok) throw new Error(`generated event refused: ${parsed.rejection.message}`);
    const key = `${parsed.value.arn}#${parsed.value.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push(toLogItem(parsed.value, { ingestedAt: Date.now(), ingestId: ulid() }));
  }
  return items;
}

/** Lambda-shaped DynamoDB Streams records for log items, as the event source mapping would hand them over. */
export function toStreamRecords(items: readonly LogItem[], streamArn: string): DynamoDBRecord[] {
  const base = BigInt(`0x${randomBytes(6).toString('hex')}`) * 1_000_000n;
  return items.map((item, i) => {
    const NewImage = marshall(item, { removeUndefinedValues: true });
    return {
      eventID: randomBytes(16).toString('hex'),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: streamArn,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(item.ingestedAt / 1000),
        Keys: { arn: NewImage.arn, version: NewImage.version } as never,
        NewImage: lambdaImage(NewImage),
        SequenceNumber: String(base + BigInt(i)),
        SizeBytes: JSON.stringify(NewImage).length,
        StreamViewType: 'NEW_IMAGE',
      },
    };
  });
}

/** Consecutive batches of the stream, like the event source mapping's BatchSize. */
export function toBatches(records: readonly DynamoDBRecord[], batchSize: number): DynamoDBStreamEvent[] {
  const batches: DynamoDBStreamEvent[] = [];
  for (let i = 0; i < records.length; i += batchSize) batches.push({ Records: records.slice(i, i + batchSize) });
  return batches;
}

const keyOfEvent = (e: EcsEvent): string => stateKey(kindOf(e), arnOf(e));

/**
 * Smaller workloads with the same shape, for runs that need no full pass: `count` disjoint ones, each with
 * every delivery of a seeded random subset of resources (at most `maxDeliveries`), in the original order.
 * (A prefix of the delivery order would not do: early in a shuffled stream nearly every delivery is a
 * first one.) Disjoint, so that several of them can share one log table as if each had its own.
 */
export function sampleWorkloads(workload: BenchWorkload, maxDeliveries: number, count: number): BenchWorkload[] {
  const perKey = new Map<string, number>();
  for (const d of workload.deliveries) perKey.set(keyOfEvent(d), (perKey.get(keyOfEvent(d)) ?? 0) + 1);
  // A small workload is shared out evenly rather than leaving the last samples empty.
  const cap = Math.min(maxDeliveries, Math.floor(workload.deliveries.length / count));
  const rng = seededRandom(workload.seed ^ 0x5eed);
  const keys = [...perKey.keys()].map((k) => [rng(), k] as const).sort((a, b) => a[0] - b[0]);
  const groups = Array.from({ length: count }, () => ({ keys: new Set<string>(), deliveries: 0 }));
  let g = 0;
  for (const [, key] of keys) {
    const group = groups[g];
    if (!group) break;
    const n = perKey.get(key) ?? 0;
    if (group.deliveries + n > cap) {
      g++;
      continue;
    }
    group.keys.add(key);
    group.deliveries += n;
  }
  return groups.map(({ keys: chosen }) => {
    const inSample = (e: EcsEvent) => chosen.has(keyOfEvent(e));
    return {
      seed: workload.seed,
      tasks: [...chosen].filter((k) => k.startsWith('task|')).length,
      instances: [...chosen].filter((k) => k.startsWith('instance|')).length,
      events: workload.events.filter(inSample),
      deliveries: workload.deliveries.filter(inSample),
      oracle: new Map([...workload.oracle].filter(([k]) => chosen.has(k))),
      logItems: workload.logItems.filter((item) =>
        chosen.has(stateKey(String(kindOfDetailType(item.detailType)), item.arn)),
      ),
    };
  });
}

/** One smaller workload of the same shape (see sampleWorkloads); the workload itself when it is small enough. */
export const sampleWorkload = (workload: BenchWorkload, maxDeliveries: number): BenchWorkload =>
  workload.deliveries.length <= maxDeliveries
    ? workload
    : (sampleWorkloads(workload, maxDeliveries, 1)[0] as BenchWorkload);

/**
 * The same workload delivered the way a live estate delivers it: in event time, each delivery late by a
 * random 0..jitterMs (EventBridge retries, Lambda queueing), instead of uniformly shuffled over the whole
 * run. One task's events then arrive close together, as they do in production, so racing deliveries of
 * one resource are common rather than rare.
 */
export function liveOrder(workload: BenchWorkload, jitterMs: number): BenchWorkload {
  const rng = seededRandom(workload.seed ^ 0x11fe);
  const timed = workload.deliveries.map((d) => ({
    d,
    at: Date.parse(String(d.detail.updatedAt ?? d.time)) + rng() * jitterMs,
  }));
  const deliveries = timed.sort((a, b) => a.at - b.at).map((t) => t.d);
  return { ...workload, deliveries, logItems: logItemsInStreamOrder(deliveries) };
}

/**
 * The realistic duplication profile: every distinct event of `workload` delivered once and a seeded
 * `fraction` of them (≈ 2 %) a second time, in live order (event time plus up to `jitterMs`), as a
 * running estate's EventBridge rule delivers them.
 */
export function redelivered(workload: BenchWorkload, fraction: number, jitterMs: number): BenchWorkload {
  const rng = seededRandom(workload.seed ^ 0x2ed1);
  const copies = workload.events.filter(() => rng() < fraction);
  return liveOrder({ ...workload, deliveries: [...workload.events, ...copies] }, jitterMs);
}
