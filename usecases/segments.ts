import { availableParallelism } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StateKind } from '../domain/kinds.js';

/** What a parallel Scan of the log against latest-state tables needs: rebuild and verify both take it. */
export interface LogScanOptions {
  readonly doc: DynamoDBDocumentClient;
  /** For DescribeTable and CreateTable. */
  readonly client: DynamoDBClient;
  readonly eventLog: string;
  /** The latest-state tables, by kind (one or both). */
  readonly targets: Partial<Record<StateKind, string>>;
  /** TotalSegments (rebuild --resume takes it from the checkpoint). */
  readonly segments?: number | undefined;
  /** DynamoDB `Limit` per Scan request; unset, DynamoDB's 1 MB page. */
  readonly pageSize?: number | undefined;
}

// How many segments a parallel Scan of the log uses (rebuild and verify).

/** Scan segments when --segments is not given: twice the CPUs (the work is mostly waiting), at most 16. */
export const defaultSegments = (): number => Math.min(16, 2 * availableParallelism());

/**
 * Most segments one process runs (all at once). DynamoDB allows 1,000,000, but one Node process is
 * busy parsing pages well before 64 concurrent 1 MB scans; for more, the table's throughput is the limit.
 */
export const MAX_SEGMENTS = 64;

/** Runs fn for each segment of a parallel Scan, all at once. */
export async function eachSegment(totalSegments: number, fn: (segment: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: totalSegments }, (_, segment) => fn(segment)));
}
