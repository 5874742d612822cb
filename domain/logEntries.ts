import type { ParsedEvent } from './eventTypes.js';
import { KINDS, partitionKeyOf } from './kinds.js';

/**
 * The log entries one parsed event is appended as: the event itself, or, for an API call, one entry
 * per resource it is filed under (`<resource>#call`, the same version), so that each resource's
 * partition holds its calls. Ingest appends each; `verify --log` finds a stored item among them.
 */
export function logEntriesOf(parsed: ParsedEvent): ParsedEvent[] {
  const call = parsed.call;
  if (call === undefined) return [parsed];
  return call.filedUnder.map((resourceArn) => ({
    ...parsed,
    arn: partitionKeyOf(KINDS.apiCall, resourceArn),
    resourceArn,
  }));
}
