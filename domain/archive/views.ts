import columns from './columns.cjs';
import { RAW_TABLE, VIEW } from './schema.js';

/** The dedup view's SQL, one text for both engines (domain/archive/columns.cjs says why it is so). */
export const dedupViewSql = (raw: string = RAW_TABLE): string => columns.dedupViewSql(raw);

export { RAW_TABLE, VIEW };
