import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { firehoseSink } from '../infra/firehose.js';
import { type ArchiverCounts, createArchiver, zeroArchiverCounts } from '../usecases/exportArchiver.js';

// The archiver Lambda: the log stream's second reader (deploy/coldStore.cjs), each INSERT's archive
// row to the cold store's Firehose stream (docs/sql.md "The cloud path"). One JSON line of counts per
// invocation: markers and non-INSERT records are counted there, never dropped silently.

const streamName = process.env.COLD_STORE_DELIVERY_STREAM ?? '';

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const counts: ArchiverCounts = zeroArchiverCounts();
  const run = createArchiver({
    sink: firehoseSink(client(), streamName),
    counts,
    log: (message) => console.error(message),
  });
  const response = await run(event);
  console.log(JSON.stringify({ message: 'archiver batch', ...counts }));
  return response;
}

let firehose: FirehoseClient | undefined;
const client = (): FirehoseClient => {
  firehose ??= new FirehoseClient({});
  return firehose;
};
