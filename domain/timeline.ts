import { hash48 } from './canonical.js';

/** Shards per cluster-hour bucket. Fixed for the life of a log: readers merge exactly this many. */
export const TIMELINE_SHARDS = 4;

const HOUR_MS = 3_600_000;

/** UTC hour bucket of an epoch-ms time: `2016-12-06T16`. */
const hourBucket = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 13);

/** Which of the TIMELINE_SHARDS a resource's events go to: stable per ARN, spread across ARNs. */
export const timelineShard = (arn: string): number => hash48(arn) % TIMELINE_SHARDS;

/**
 * Partition key of the cluster timeline index: `cluster#hour#shard`. The hour keeps partitions
 * bounded in time; the shard spreads one busy cluster's current hour over several partitions.
 */
export const timelineKey = (clusterArn: string, epochMs: number, shard: number): string =>
  `${clusterArn}#${hourBucket(epochMs)}#${shard}`;

/** The cluster a timeline key belongs to (cluster ARNs hold no `#`); undefined for no key. */
export const clusterOfTimelineKey = (key: unknown): string | undefined =>
  typeof key === 'string' && key.includes('#') ? key.slice(0, key.indexOf('#')) : undefined;

/** Every timeline partition a reader must query (and merge) to cover [sinceMs, untilMs]. */
export function timelineKeys(clusterArn: string, sinceMs: number, untilMs: number): string[][] {
  const hours: string[][] = [];
  for (let t = Math.floor(sinceMs / HOUR_MS) * HOUR_MS; t <= untilMs; t += HOUR_MS) {
    hours.push(Array.from({ length: TIMELINE_SHARDS }, (_, shard) => timelineKey(clusterArn, t, shard)));
  }
  return hours;
}
