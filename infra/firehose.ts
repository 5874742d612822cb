import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { ArchiveRow } from '../domain/archive/row.js';

// The cloud sink of the archiver: PutRecordBatch to the cold store's delivery stream, which converts
// each JSON row to Parquet against the Glue table (deploy/coldStore.cjs).

/** PutRecordBatch's limits: 500 records and 4 MiB a call. */
const MAX_RECORDS = 500;
const MAX_BYTES = 4 * 1024 * 1024;

/** The rows as Firehose records, one JSON document a line, in calls within PutRecordBatch's limits. */
export function recordBatches(rows: readonly ArchiveRow[]): { first: number; data: Uint8Array[] }[] {
  const batches: { first: number; data: Uint8Array[] }[] = [];
  let current: { first: number; data: Uint8Array[] } | undefined;
  let bytes = 0;
  rows.forEach((row, i) => {
    const data = Buffer.from(`${JSON.stringify(row)}\n`);
    if (!current || current.data.length === MAX_RECORDS || bytes + data.length > MAX_BYTES) {
      current = { first: i, data: [] };
      batches.push(current);
      bytes = 0;
    }
    current.data.push(data);
    bytes += data.length;
  });
  return batches;
}

/** A sink sending rows to a delivery stream; resolves to the indices Firehose did not take. */
export function firehoseSink(client: FirehoseClient, deliveryStreamName: string) {
  return {
    async put(rows: readonly ArchiveRow[]): Promise<number[]> {
      const failed: number[] = [];
      for (const batch of recordBatches(rows)) {
        try {
          const out = await client.send(
            new PutRecordBatchCommand({
              DeliveryStreamName: deliveryStreamName,
              Records: batch.data.map((Data) => ({ Data })),
            }),
          );
          (out.RequestResponses ?? []).forEach((r, i) => {
            if (r.ErrorCode) failed.push(batch.first + i);
          });
        } catch {
          // The whole call failed (throttled past the retries, the stream gone): every row of it is retried.
          for (let i = 0; i < batch.data.length; i++) failed.push(batch.first + i);
        }
      }
      return failed;
    },
  };
}
