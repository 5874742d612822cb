import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { TTL_IDENTITY } from '../domain/tamper.js';
import type { CheckpointStore } from './streamCheckpoints.js';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPollerOptions {
  readonly streamArn: string;
  readonly handler: StreamHandler;
  readonly checkpoints: CheckpointStore;
  readonly client?: DynamoDBStreamsClient;
  /** Records per handler call, like the event source mapping's BatchSize. */
  readonly batchSize?: number;
  /** Retries of a failing batch before it is skipped, like MaximumRetryAttempts. */
  readonly maxRetries?: number;
  /** Delay before retry n is min(retryDelayMs × 2^n, 2 s). */
  readonly retryDelayMs?: number;
  readonly onBatch?: (info: BatchInfo) => void;
}

export interface BatchInfo {
  readonly shardId: string;
  readonly records: number;
  readonly failures: number;
  readonly response: DynamoDBBatchResponse | undefined;
}

export interface PollerStats {
  batches: number;
  records: number;
  retries: number;
  /** Records given up after maxRetries (Lambda would send their pointers to the on-failure destination). */
  skipped: number;
}

interface ShardState {
  iterator: string | undefined;
  closed: boolean;
  retries: number;
}

const bigint = (sequenceNumber: string): bigint => BigInt(sequenceNumber);

/**
 * DynamoDB Local writes its TTL deletions with this eventName (an enum its own SDK does not know) and
 * no `userIdentity`; DynamoDB writes `REMOVE` by the service identity, which is what Lambda delivers.
 */
const DYNAMODB_LOCAL_TTL_EVENT_NAME = 'UNKNOWN_TO_SDK_VERSION';

/** A TTL deletion as DynamoDB Local records it. */
const isLocalTtlDeletion = (record: _Record): boolean =>
  (record.eventName as string | undefined) === DYNAMODB_LOCAL_TTL_EVENT_NAME && !record.dynamodb?.NewImage;

/** Lambda's `userIdentity` (lower-case keys) from the Streams API's `Identity`. */
function lambdaIdentity(record: _Record): DynamoDBRecord['userIdentity'] {
  if (isLocalTtlDeletion(record)) return { ...TTL_IDENTITY };
  const identity = record.userIdentity;
  return identity ? { type: identity.Type, principalId: identity.PrincipalId } : undefined;
}

/** An image in Lambda's JSON: the SDK reads Binary values as bytes, Lambda hands them over as base64 text. */
export function lambdaImage(image: unknown): never {
  const value = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (Array.isArray(v)) return v.map(value);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, value(e)]));
    return v;
  };
  return (image === undefined ? undefined : value(image)) as never;
}

/** Lambda's DynamoDBRecord shape from a DynamoDB Streams record. */
function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  const userIdentity = lambdaIdentity(record);
  return {
    eventID: record.eventID,
    eventName: (isLocalTtlDeletion(record) ? 'REMOVE' : record.eventName) as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime
        ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
      Keys: d.Keys as never,
      NewImage: lambdaImage(d.NewImage),
      OldImage: lambdaImage(d.OldImage),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    },
    ...(userIdentity && { userIdentity }),
  };
}

/**
 * Reads a DynamoDB Stream the way Lambda's event source mapping does, for the local stack: batches of
 * Lambda-shaped records to the real projector handler, `batchItemFailures` honoured by retrying from
 * the lowest reported sequence number, bounded retries, and a checkpoint per shard so that a restarted
 * poller resumes where it stopped.
 */
export class StreamPoller {
  readonly stats: PollerStats = { batches: 0, records: 0, retries: 0, skipped: 0 };
  private readonly client: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private stopped = false;

  constructor(private readonly options: StreamPollerOptions) {
    this.client = options.client ?? new DynamoDBStreamsClient({});
  }

  /** One pass over every readable shard. Returns how many records were handed to the handler. */
  async pollOnce(): Promise<number> {
    const shards = await this.listShards();
    let handled = 0;
    for (const shard of shards) {
      const id = shard.ShardId as string;
      const parent = shard.ParentShardId ? this.shards.get(shard.ParentShardId) : undefined;
      if (parent && !parent.closed) continue; // a child waits until its parent is read to the end
      handled += await this.pollShard(id);
    }
    return handled;
  }

  /** Polls until a whole pass finds nothing new: everything written so far has been handled. */
  async drain(): Promise<void> {
    while (!this.stopped && (await this.pollOnce()) > 0) {}
  }

  /** Polls until stop() is called, resting idleMs between empty passes. */
  async run(idleMs = 200): Promise<void> {
    while (!this.stopped) {
      if ((await this.pollOnce()) === 0 && !this.stopped) await new Promise((r) => setTimeout(r, idleMs));
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  private async iteratorAt(shardId: string, type: ShardIteratorType, sequenceNumber?: string): Promise<string> {
    const out = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        SequenceNumber: sequenceNumber,
      }),
    );
    return out.ShardIterator as string;
  }

  private async resumeIterator(shardId: string): Promise<string> {
    const done = this.options.checkpoints.get(this.options.streamArn, shardId);
    return done ? this.iteratorAt(shardId, 'AFTER_SEQUENCE_NUMBER', done) : this.iteratorAt(shardId, 'TRIM_HORIZON');
  }

  private async pollShard(shardId: string): Promise<number> {
    let state = this.shards.get(shardId);
    if (!state) {
      state = { iterator: undefined, closed: false, retries: 0 };
      this.shards.set(shardId, state);
    }
    if (state.closed) return 0;
    state.iterator ??= await this.resumeIterator(shardId);
    let out: Awaited<ReturnType<typeof this.getRecords>>;
    try {
      out = await this.getRecords(state.iterator);
    } catch (e) {
      // Iterators expire after 15 minutes. DynamoDB Local also says "trimmed" of a live shard's first
      // records now and then (aws/aws-sdk-java#2923): a new iterator from the checkpoint reads on.
      if (!(e instanceof ExpiredIteratorException || e instanceof TrimmedDataAccessException)) throw e;
      state.iterator = await this.resumeIterator(shardId);
      out = await this.getRecords(state.iterator);
    }
    const records = out.Records ?? [];
    if (records.length === 0) {
      if (!out.NextShardIterator) state.closed = true;
      else state.iterator = out.NextShardIterator;
      return 0;
    }
    const streamArn = this.options.streamArn;
    const event: DynamoDBStreamEvent = { Records: records.map((r) => toLambdaRecord(r, streamArn)) };
    let response: DynamoDBBatchResponse | undefined;
    let failedAt: string | undefined;
    try {
      response = (await this.options.handler(event)) ?? undefined;
      const failed = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier).filter(Boolean) as string[];
      failedAt = failed.sort((a, b) => (bigint(a) < bigint(b) ? -1 : 1))[0];
    } catch {
      failedAt = records[0]?.dynamodb?.SequenceNumber; // the whole batch failed
    }
    this.stats.batches++;
    this.options.onBatch?.({ shardId, records: records.length, failures: failedAt ? 1 : 0, response });

    if (failedAt && state.retries < (this.options.maxRetries ?? 10)) {
      // Everything before the lowest failure is done; retry from it (later records come again, harmlessly).
      const before = records.filter((r) => bigint(r.dynamodb?.SequenceNumber as string) < bigint(failedAt));
      const last = before.at(-1)?.dynamodb?.SequenceNumber;
      if (last) this.options.checkpoints.set(streamArn, shardId, last);
      this.stats.records += before.length;
      this.stats.retries++;
      const delay = Math.min((this.options.retryDelayMs ?? 50) * 2 ** state.retries, 2000);
      state.retries++;
      await new Promise((r) => setTimeout(r, delay));
      state.iterator = await this.iteratorAt(shardId, 'AT_SEQUENCE_NUMBER', failedAt);
      return records.length;
    }
    if (failedAt) {
      // Retries exhausted: skip, as Lambda does after MaximumRetryAttempts. `verify --repair` recovers them.
      this.stats.skipped += records.filter(
        (r) => bigint(r.dynamodb?.SequenceNumber as string) >= bigint(failedAt),
      ).length;
    }
    state.retries = 0;
    this.options.checkpoints.set(streamArn, shardId, records.at(-1)?.dynamodb?.SequenceNumber as string);
    this.stats.records += records.length;
    state.iterator = out.NextShardIterator ?? undefined;
    if (!state.iterator) state.closed = true;
    return records.length;
  }

  private getRecords(iterator: string) {
    return this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 100 }));
  }
}
