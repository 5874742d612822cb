import summaryFields from './summaryFields.cjs';

const { SUMMARY_FIELDS } = summaryFields;

type Fields = typeof SUMMARY_FIELDS;
export type SummaryField = keyof Fields;

/** The summary fields a log item copies from its event's detail (domain/summaryFields.cjs), typed. */
export type Summary = {
  readonly [F in SummaryField]?: Fields[F] extends 'boolean' ? boolean : string;
};

export const SUMMARY_FIELD_NAMES = Object.keys(SUMMARY_FIELDS) as SummaryField[];

/** Longest summary string copied next to the event (ECS statuses and codes are a few dozen characters). */
const MAX_SUMMARY_CHARS = 1024;

/**
 * The summary of one event detail: each field whose value has the listed type. A copy is only a
 * query convenience; an absurdly long value stays in `event` alone, so that the copies can never
 * push the item past DynamoDB's 400 KB limit (the event is at most 256 KiB).
 */
export function summaryOf(detail: Record<string, unknown>): Summary {
  const summary: Record<string, unknown> = {};
  for (const field of SUMMARY_FIELD_NAMES) {
    const v = detail[field];
    if (typeof v !== SUMMARY_FIELDS[field]) continue;
    if (typeof v === 'string' && v.length > MAX_SUMMARY_CHARS) continue;
    summary[field] = v;
  }
  return summary;
}
