import { availableParallelism } from 'node:os';

// How many segments a parallel Scan of the log uses (rebuild and verify).

/** Scan segments when --segments is not given: twice the CPUs (the work is mostly waiting), at most 16. */
export const defaultSegments = (): number => Math.min(16, 2 * availableParallelism());

/**
 * Most segments one process runs (all at once). DynamoDB allows 1,000,000, but one Node process is
 * busy parsing pages well before 64 concurrent 1 MB scans; for more, the table's throughput is the limit.
 */
export const MAX_SEGMENTS = 64;
