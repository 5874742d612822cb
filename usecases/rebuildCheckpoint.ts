import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../domain/errors.js';
import type { StateKind } from '../domain/kinds.js';
import type { MissingMark } from '../domain/projection.js';
import type { LogKey } from '../infra/logQueries.js';

/** Counts of one segment, cumulative over every run of one rebuild. */
export interface SegmentCounts {
  scanned: number;
  arns: number;
  written: number;
  notNewer: number;
  expired: number;
  poison: number;
}

export const zeroCounts = (): SegmentCounts => ({
  scanned: 0,
  arns: 0,
  written: 0,
  notNewer: 0,
  expired: 0,
  poison: 0,
});

/**
 * Where one segment resumes. `startKey` is the LastEvaluatedKey of its last page whose writes have
 * all landed; `pending` is the key of the log item of the run still in progress at that page's end
 * (not written yet: its resource may continue on the next page), re-read and re-projected on resume.
 */
export interface SegmentCheckpoint extends SegmentCounts {
  startKey?: Record<string, unknown>;
  pending?: LogKey;
  /** Missing marks this segment read, applied once every segment is done (a rebuild resumed keeps them). */
  marks?: MissingMark[];
  done: boolean;
}

/** A rebuild in progress. The scan's TotalSegments is part of it: a segment means nothing without it. */
export interface RebuildCheckpoint {
  readonly format: 1;
  readonly eventLog: string;
  readonly targets: Partial<Record<StateKind, string>>;
  readonly totalSegments: number;
  readonly force: boolean;
  readonly startedAt: string;
  updatedAt: string;
  readonly segments: SegmentCheckpoint[];
}

/** The default checkpoint file: one per (log, target tables), under .ecs-events/ in the working directory. */
export function defaultCheckpointPath(eventLog: string, targets: Partial<Record<StateKind, string>>): string {
  const into = Object.values(targets).join('+');
  return join('.ecs-events', `rebuild-${eventLog}-to-${into}.json`);
}

/**
 * A small local JSON file, replaced atomically (write to a temporary file, then rename) after each
 * page of each segment, so a process killed at any instant leaves the last complete checkpoint.
 * A local file (not a table) needs no extra permission or table, and a rebuild runs from one machine.
 */
export class RebuildCheckpointFile {
  constructor(readonly path: string) {}

  load(): RebuildCheckpoint | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const checkpoint = JSON.parse(text) as RebuildCheckpoint;
    if (checkpoint.format !== 1 || !Array.isArray(checkpoint.segments)) {
      throw new UsageError(`${this.path} is not a rebuild checkpoint (format 1)`, { code: 'CHECKPOINT_UNUSABLE' });
    }
    return checkpoint;
  }

  save(checkpoint: RebuildCheckpoint): void {
    checkpoint.updatedAt = new Date().toISOString();
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(checkpoint, null, 1)}\n`);
    renameSync(tmp, this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}

/** Why a checkpoint cannot be resumed with these options, or undefined when it can. */
export function resumeMismatch(
  checkpoint: RebuildCheckpoint,
  wanted: Pick<RebuildCheckpoint, 'eventLog' | 'targets' | 'force'> & { totalSegments?: number | undefined },
): string | undefined {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (checkpoint.eventLog !== wanted.eventLog) return `it reads log ${checkpoint.eventLog}, not ${wanted.eventLog}`;
  if (!same(checkpoint.targets, wanted.targets)) {
    return `it writes ${JSON.stringify(checkpoint.targets)}, not ${JSON.stringify(wanted.targets)}`;
  }
  if (wanted.totalSegments !== undefined && wanted.totalSegments !== checkpoint.totalSegments) {
    return `it scans with --segments ${checkpoint.totalSegments}, not ${wanted.totalSegments} (omit --segments to resume)`;
  }
  if (checkpoint.force !== wanted.force) return `it was started ${checkpoint.force ? 'with' : 'without'} --force`;
  return undefined;
}
