/**
 * A local stream poller as its own process, for the kill -9 test (test/reliability/killed.test.ts):
 * the real projector on the log's real stream, checkpoints in a file. Prints one JSON line per batch
 * ({first, last, records}) and {done, stats} when the stream is drained, then exits 0.
 *
 * Environment: STREAM_ARN, CHECKPOINT_FILE, BATCH_SIZE, the table variables (EVENT_LOG_TABLE, ...)
 * and the SDK endpoint variables, all inherited from the test.
 */
import { createProjectorHandler } from '../../../functions/projector.js';
import { createDocumentClient } from '../../../infra/client.js';
import { readConfig } from '../../../infra/config.js';
import { FileCheckpointStore } from '../../../local/streamCheckpoints.js';
import { StreamPoller } from '../../../local/streamPoller.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const projector = createProjectorHandler({ doc: createDocumentClient(), tables: readConfig().tables, ttlDays: 30 });
const poller = new StreamPoller({
  streamArn: env('STREAM_ARN'),
  checkpoints: new FileCheckpointStore(env('CHECKPOINT_FILE')),
  batchSize: Number(process.env.BATCH_SIZE ?? 10),
  retryDelayMs: 0,
  handler: async (event) => {
    const out = await projector(event);
    const seqs = event.Records.map((r) => r.dynamodb?.SequenceNumber);
    process.stdout.write(`${JSON.stringify({ first: seqs[0], last: seqs.at(-1), records: seqs.length })}\n`);
    return out;
  },
});
await poller.drain();
process.stdout.write(`${JSON.stringify({ done: true, stats: poller.stats })}\n`);
