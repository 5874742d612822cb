import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type ArchiveRow, archiveRowOf } from '../domain/archive/row.js';
import { unmarshallImage } from '../functions/streamImage.js';

// The archiver: the log stream's second (and last) reader. It decodes each INSERT's new image to
// its archive row (the same function as `export`) and hands a batch's rows to a sink: Firehose in
// AWS (infra/firehose.ts), Parquet files in a directory locally (usecases/exportLocalSink.ts).
// No DuckDB here: the Lambda bundle stays small.
// Tamper markers and any record that is not an INSERT are never archived: they are counted.

export interface ArchiveSink {
  /** Sends the rows; resolves to the indices of the rows that were not accepted (retried by Lambda). */
  put(rows: readonly ArchiveRow[]): Promise<number[]>;
}

export interface ArchiverCounts {
  batches: number;
  /** INSERT records whose row was sent. */
  archived: number;
  /** Tamper markers and trust marks (INSERTs that are not events). */
  markers: number;
  /** MODIFY and REMOVE records (tampering or TTL: the projector reports them). */
  notInsert: number;
  /** INSERTs whose item could not be read: logged and counted, not retried (it never will be readable). */
  unreadable: number;
  /** Rows the sink refused, reported in batchItemFailures. */
  failed: number;
}

export const zeroArchiverCounts = (): ArchiverCounts => ({
  batches: 0,
  archived: 0,
  markers: 0,
  notInsert: 0,
  unreadable: 0,
  failed: 0,
});

/** A Lambda handler for the log's stream (ReportBatchItemFailures on). */
export function createArchiver(options: {
  readonly sink: ArchiveSink;
  readonly counts?: ArchiverCounts;
  readonly log?: (message: string) => void;
}): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  const counts = options.counts ?? zeroArchiverCounts();
  return async (event) => {
    counts.batches++;
    const rows: ArchiveRow[] = [];
    const sequence: string[] = [];
    for (const record of event.Records) {
      if (record.eventName !== 'INSERT') {
        counts.notInsert++;
        continue;
      }
      let outcome: ReturnType<typeof archiveRowOf>;
      try {
        outcome = archiveRowOf(unmarshallImage(record.dynamodb?.NewImage));
      } catch (e) {
        outcome = { type: 'skip', reason: 'unreadable', message: (e as Error).message };
      }
      if (outcome.type === 'skip') {
        counts[outcome.reason === 'marker' ? 'markers' : 'unreadable']++;
        if (outcome.reason === 'unreadable') options.log?.(`archiver: not archived: ${outcome.message}`);
        continue;
      }
      rows.push(outcome.row);
      sequence.push(record.dynamodb?.SequenceNumber ?? '');
    }
    if (rows.length === 0) return { batchItemFailures: [] };
    const failed = await options.sink.put(rows);
    counts.archived += rows.length - failed.length;
    counts.failed += failed.length;
    return { batchItemFailures: failed.map((i) => ({ itemIdentifier: sequence[i] as string })) };
  };
}
