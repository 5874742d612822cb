import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoppedTally, stopKey } from '../domain/audit/stopped.js';
import { detailOf, type StoredEvent } from '../domain/audit/storedEvent.js';
import type { TimelineEntry } from '../domain/audit/timeline.js';
import { KINDS } from '../domain/kinds.js';
import { queryTimeline, readStoredEvents } from '../infra/logQueries.js';
import type { PageOptions } from '../infra/paging.js';

// Audit queries that join several reads of the log (single reads live in infra/logQueries.ts).

/** BatchGetItem's limit: the join reads bodies one full request at a time. */
const JOIN_BATCH = 100;

/**
 * The stored events of timeline entries (the index projects no event body), in the entries' order:
 * the bodies of each 100 entries in one BatchGetItem. Memory holds one batch.
 */
async function* withStoredEvents(
  doc: DynamoDBDocumentClient,
  table: string,
  entries: AsyncIterable<TimelineEntry>,
): AsyncGenerator<StoredEvent> {
  let batch: TimelineEntry[] = [];
  const flush = async (): Promise<StoredEvent[]> => {
    const keyOf = (e: { arn: string; version: number }) => `${e.arn}#${e.version}`;
    const found = new Map((await readStoredEvents(doc, table, batch)).map((item) => [keyOf(item), item]));
    const events = batch.flatMap((e) => found.get(keyOf(e)) ?? []);
    batch = [];
    return events;
  };
  for await (const entry of entries) {
    batch.push(entry);
    if (batch.length === JOIN_BATCH) yield* await flush();
  }
  if (batch.length > 0) yield* await flush();
}

/**
 * The tasks of a cluster that stopped in [since, until), tallied by stop code, reason and exit code
 * (domain/audit/stopped.ts): the STOPPED task events from the timeline index, their bodies from the log.
 */
export async function tallyStopped(
  doc: DynamoDBDocumentClient,
  table: string,
  clusterArn: string,
  window: { readonly sinceMs: number; readonly untilMs: number },
  options: PageOptions = {},
): Promise<StoppedTally> {
  const stops = queryTimeline(doc, table, clusterArn, {
    ...window,
    detailTypes: [KINDS.task.detailType],
    status: 'STOPPED',
    pageSize: options.pageSize,
  });
  const tally = new StoppedTally();
  for await (const stored of withStoredEvents(doc, table, stops)) {
    tally.add(stored.arn, stored.version, stopKey(detailOf(stored)));
  }
  return tally;
}
