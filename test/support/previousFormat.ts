import { readFileSync } from 'node:fs';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EcsEvent } from '../../domain/eventTypes.js';
import { isStateKind } from '../../domain/kinds.js';
import { parseEvent } from '../../domain/parseEvent.js';
import { timelineKey } from '../../domain/timeline.js';

// The log as the code before issue 15 wrote it: test/fixtures/previous-format-log.json holds items that
// toLogItem produced then (`event` a plain JSON string, `clusterArn`, `ingestedAt`), made once and never
// regenerated. Their times are those of the fixture's anchor; loading moves them to now by whole hours,
// so hour buckets, TTLs and "since" windows behave as on a live log.

const HOUR = 3_600_000;
const FIXTURE = new URL('../fixtures/previous-format-log.json', import.meta.url);

interface Fixture {
  readonly anchorMs: number;
  readonly items: Record<string, unknown>[];
}

/** ISO times inside the JSON text, shifted by `deltaMs`, their format kept (fraction digits, `Z`). */
function shiftTimes(json: string, deltaMs: number): string {
  return json.replace(/"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z"/g, (_, whole: string, fraction = '') => {
    const shifted = new Date(Date.parse(`${whole}Z`) + deltaMs).toISOString().slice(0, 19);
    return `"${shifted}${fraction}Z"`;
  });
}

/**
 * The fixture's items, their times moved by whole hours to about now (the same ones every call within
 * an hour). What depends on the time is derived again as the code of the time did: the timeline key's
 * hour (same cluster and shard), and the version of events without a detail.version (it encodes the
 * event time and a hash of the event).
 */
export function previousFormatItems(nowMs = Date.now()): Record<string, unknown>[] {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;
  const delta = Math.floor((nowMs - fixture.anchorMs) / HOUR) * HOUR;
  return fixture.items.map((item) => {
    const event = shiftTimes(item.event as string, delta);
    const eventTime = (item.eventTime as number) + delta;
    const parsed = parseEvent(JSON.parse(event), { redactEnvironment: true });
    if (!parsed.ok) throw new Error(`fixture item ${String(item.arn)}: ${parsed.rejection.message}`);
    const shard = Number(
      String(item.timelineKey ?? '')
        .split('#')
        .at(-1),
    );
    return {
      ...item,
      version: isStateKind(parsed.value.kind) ? item.version : parsed.value.version,
      eventTime,
      ingestedAt: (item.ingestedAt as number) + delta,
      event,
      ...(item.timelineKey !== undefined && {
        timelineKey: timelineKey(item.clusterArn as string, eventTime, shard),
      }),
    };
  });
}

/** The events the items hold, in the fixture's order (the order they were first appended). */
export const eventsOf = (items: readonly Record<string, unknown>[]): EcsEvent[] =>
  items.map((i) => JSON.parse(i.event as string) as EcsEvent);

/** Writes items into a log table as they are (25 per BatchWriteItem), as the old code left them. */
export async function writeLog(
  doc: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = items
      .slice(i, i + 25)
      .map((Item) => ({ PutRequest: { Item } }));
    while (pending && pending.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
      pending = out.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
  }
}
