import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where a stream reader resumes: the last sequence number fully processed, per stream and shard. */
export interface CheckpointStore {
  get(streamArn: string, shardId: string): string | undefined;
  set(streamArn: string, shardId: string, sequenceNumber: string): void;
}

type Checkpoints = Record<string, Record<string, string>>;

export class MemoryCheckpointStore implements CheckpointStore {
  protected data: Checkpoints = {};
  get(streamArn: string, shardId: string): string | undefined {
    return this.data[streamArn]?.[shardId];
  }
  set(streamArn: string, shardId: string, sequenceNumber: string): void {
    this.data[streamArn] ??= {};
    (this.data[streamArn] as Record<string, string>)[shardId] = sequenceNumber;
  }
}

/**
 * Checkpoints in a small JSON file, replaced atomically (write then rename) after every batch,
 * so a poller killed at any instant resumes from its last finished batch.
 */
export class FileCheckpointStore extends MemoryCheckpointStore {
  constructor(private readonly path: string) {
    super();
    try {
      this.data = JSON.parse(readFileSync(path, 'utf8')) as Checkpoints;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  override set(streamArn: string, shardId: string, sequenceNumber: string): void {
    super.set(streamArn, shardId, sequenceNumber);
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.path);
  }
}
