/**
 * The calls index (infra/tables.cjs `byClusterCalls`): a cluster's calls by UTC day, sorted by event
 * time. Calls are a few thousand a day at most, so a day is one partition with no shards, and `who
 * --since 30d` reads 31 of them; they stay off the cluster timeline index, whose projection (the
 * state fields) holds nothing of a call's and which `timeline --type other` reads.
 */
const DAY_MS = 86_400_000;

/** `<cluster ARN>#2026-12-07`. */
export const callKey = (clusterArn: string, eventTimeMs: number): string =>
  `${clusterArn}#${new Date(eventTimeMs).toISOString().slice(0, 10)}`;

/** The cluster of a calls-index key (cluster ARNs hold no `#`). */
export const clusterOfCallKey = (key: string): string => key.slice(0, key.indexOf('#'));

/** Every calls-index partition of a cluster that [sinceMs, untilMs] touches, oldest first. */
export function callKeys(clusterArn: string, sinceMs: number, untilMs: number): string[] {
  const keys: string[] = [];
  for (let t = Math.floor(sinceMs / DAY_MS) * DAY_MS; t <= untilMs; t += DAY_MS) keys.push(callKey(clusterArn, t));
  return keys;
}
