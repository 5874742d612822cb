// The summary fields have one source (domain/summaryFields.cjs); this suite fails when any place
// that should be derived from it disagrees: its type declaration, the log item, the history row and
// the timeline index projection of the table model.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { historyRow } from '../domain/audit/history.js';
import type { EcsEvent, ParsedEvent } from '../domain/eventTypes.js';
import { KINDS } from '../domain/kinds.js';
import { toLogItem } from '../domain/logItem.js';
import { SUMMARY_FIELD_NAMES } from '../domain/summary.js';
import summaryFields from '../domain/summaryFields.cjs';
import model from '../infra/tables.cjs';

const { SUMMARY_FIELDS } = summaryFields;

/** A detail carrying every summary field with a value of its listed type. */
const detail = Object.fromEntries(
  SUMMARY_FIELD_NAMES.map((f) => [f, SUMMARY_FIELDS[f] === 'boolean' ? true : `value-of-${f}`]),
);
const arn = 'arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef';
const event: EcsEvent = {
  'detail-type': KINDS.task.detailType,
  source: 'aws.ecs',
  detail: { ...detail, taskArn: arn, version: 1 },
};
const parsed: ParsedEvent = {
  kind: 'task',
  detailType: KINDS.task.detailType,
  arn,
  version: 1,
  clusterArn: undefined,
  eventId: 'e1',
  eventTime: 0,
  event,
};
const stamp = { ingestedAt: 0, ingestId: 'i' };
const item = toLogItem(parsed, stamp);

describe('summary fields', () => {
  it('the type declaration names exactly the fields of the CommonJS source', () => {
    const declared = readFileSync(new URL('../domain/summaryFields.d.cts', import.meta.url), 'utf8');
    const names = [...declared.matchAll(/readonly (\w+): '(string|boolean)'/g)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(names)).toEqual(SUMMARY_FIELDS);
  });

  it('the log item copies each of them, and only them, beside the event', () => {
    const copied = Object.keys(item).filter((k) => k in detail);
    expect(copied.sort()).toEqual([...SUMMARY_FIELD_NAMES].sort());
    for (const f of SUMMARY_FIELD_NAMES) expect(item[f]).toBe(detail[f]);
  });

  it('a value of another type is left in the event only', () => {
    const wrong = Object.fromEntries(SUMMARY_FIELD_NAMES.map((f) => [f, SUMMARY_FIELDS[f] === 'boolean' ? 'yes' : 7]));
    const other = toLogItem({ ...parsed, event: { ...event, detail: wrong } }, stamp);
    for (const f of SUMMARY_FIELD_NAMES) expect(other[f]).toBeUndefined();
  });

  it('the timeline index projects each of them', () => {
    const index = model.tables.eventLog.indexes.find((i) => i.partitionKey === 'timelineKey');
    expect(index?.projection.ProjectionType).toBe('INCLUDE');
    for (const f of SUMMARY_FIELD_NAMES) expect(index?.projection.NonKeyAttributes).toContain(f);
  });

  it('the history row shows each of them', () => {
    const row = historyRow({ arn, version: 1, detailType: KINDS.task.detailType, eventTime: 0, event: item.event });
    for (const f of SUMMARY_FIELD_NAMES) expect(row[f]).toBe(detail[f]);
  });
});
