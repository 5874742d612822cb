import type { TableContext } from './dynamoErrors.js';
import model from './tables.cjs';

// The event log table as the table model defines it, for its readers and writers.

/** The cluster timeline index of the log (byClusterTime), by its name in the table model. */
export const TIMELINE_INDEX = model.tables.eventLog.indexes.find((i) => i.partitionKey === 'timelineKey')
  ?.name as string;

/** Names the log table (and the variable that names it) in an explained error. */
export const logContext = (table: string, index?: string): TableContext => ({
  table,
  index,
  envVar: model.tables.eventLog.envVar,
});
