import type { DynamoDBRecord } from 'aws-lambda';
import { MemoryCheckpointStore } from '../../../local/streamCheckpoints.js';
import { StreamPoller } from '../../../local/streamPoller.js';

/**
 * Reads the log's REAL DynamoDB Stream and hands back its Lambda-shaped records, so a test can
 * replay them into the projector in any split and order it likes. One tap per table, reused
 * across runs: each take() returns what arrived since the last one.
 */
export class StreamTap {
  private readonly buffer: DynamoDBRecord[] = [];
  private readonly poller: StreamPoller;

  constructor(streamArn: string) {
    this.poller = new StreamPoller({
      streamArn,
      checkpoints: new MemoryCheckpointStore(),
      batchSize: 1000,
      handler: async (event) => {
        this.buffer.push(...event.Records);
        return { batchItemFailures: [] };
      },
    });
  }

  /** Polls the stream until at least `count` new records are in (or the deadline passes), and takes them all. */
  async take(count: number, timeoutMs = 30_000): Promise<DynamoDBRecord[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`the stream delivered ${this.buffer.length} of ${count} records in ${timeoutMs} ms`);
      }
      await this.poller.pollOnce();
    }
    // Anything already written is read too, so that a surplus record shows up in this run, not the next.
    await this.poller.pollOnce();
    return this.buffer.splice(0);
  }
}
