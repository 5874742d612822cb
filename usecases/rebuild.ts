import { InternalError, UsageError } from '../domain/errors.js';
import { isExpired } from '../domain/expiry.js';
import { KINDS, type StateKind } from '../domain/kinds.js';
import type { MissingMark, Projection } from '../domain/projection.js';
import { projectLogItem, scanLatest } from '../infra/logScan.js';
import { applyLatest, applyMark, isUnwritable } from '../infra/stateWrites.js';
import { approximateItemCount, ensureTable } from '../infra/tableAdmin.js';
import { inParallel } from './inParallel.js';
import {
  type RebuildCheckpoint,
  type RebuildCheckpointFile,
  resumeMismatch,
  type SegmentCheckpoint,
  type SegmentCounts,
  zeroCounts,
} from './rebuildCheckpoint.js';
import { defaultSegments, eachSegment, type LogScanOptions, MAX_SEGMENTS } from './segments.js';
import { type TamperedEntry, tamperStatus } from './tampered.js';

export interface RebuildOptions extends LogScanOptions {
  /** Also rewrite rows of an equal version (changed projection logic); never a higher one. */
  readonly force?: boolean;
  /** Scan and reduce, write nothing, create nothing, keep no checkpoint. */
  readonly dryRun?: boolean;
  readonly ttlDays: number;
  readonly now?: () => number;
  /** Where progress is kept; without it the rebuild is not resumable. */
  readonly checkpoint?: RebuildCheckpointFile | undefined;
  /** Continue the rebuild recorded in `checkpoint` instead of starting over. */
  readonly resume?: boolean;
  /** Conditional puts in flight per segment. */
  readonly writeConcurrency?: number;
  /** Aborting stops every segment after its current page (writes landed, checkpoint saved). */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildProgress {
  readonly scanned: number;
  readonly written: number;
  /** Approximate items left to scan (DescribeTable's ItemCount), for an ETA. */
  readonly total: number;
}

export interface RebuildReport {
  readonly eventLog: string;
  readonly targets: Partial<Record<StateKind, string>>;
  readonly segments: number;
  readonly force: boolean;
  readonly dryRun: boolean;
  /** Log items read by this run (service and deployment events included: they are skipped, not projected). */
  scanned: number;
  /** Latest projections found (one per resource when the scan keeps each ARN together, as DynamoDB does). */
  arns: number;
  /** Rows put. With --dry-run: rows that would be put at most (not checked against the table). */
  written: number;
  /** Puts refused by "only if newer": the row already held that version or a newer one. */
  skippedNotNewer: number;
  /** Latest states already past their TTL: not recreated (an older row, if any, deleted). */
  expired: number;
  /** Log items that cannot be projected, or rows DynamoDB refuses: counted, never retried. */
  poison: number;
  /** Missing marks folded into rows (lastSeenMissingAt), after every state was written. */
  marked: number;
  /** Log items at tampered keys, not projected (the tampered content never reaches a row). */
  excluded: number;
  /** The log's tampered keys (its markers, domain/tamper.ts) and what each holds now. */
  readonly tampered: TamperedEntry[];
  /** Segments stopped by an error after the retries ran out: the checkpoint keeps their place. */
  errors: number;
  /**
   * Requests the SDK retried after throttling or a transient error (the client's retry configuration,
   * infra/client.ts): the sum of `$metadata.attempts` - 1 over the scans, reads and writes.
   */
  retries: number;
  seconds: number;
  readonly examples: { poison: string[]; errors: string[] };
  readonly createdTables: string[];
  /** What earlier runs of a resumed rebuild had done. */
  resumedFrom?: SegmentCounts;
  /** Every segment finished without error (the checkpoint file is then removed). */
  complete: boolean;
  interrupted: boolean;
  readonly checkpoint?: string;
}

const MAX_EXAMPLES = 10;

/**
 * Rebuilds latest-state tables from the log: a parallel Scan (Segment/TotalSegments), each segment
 * reduced to the latest projection per resource as it streams (domain/reduceLatest.ts), each one
 * written with the live projector's "only if newer" condition. Safe while the projector runs; any
 * number of rebuilds converge. Checkpointed per segment and page, so it resumes where it stopped.
 */
export async function rebuild(options: RebuildOptions): Promise<RebuildReport> {
  const started = Date.now();
  const now = options.now ?? Date.now;
  const force = options.force ?? false;
  const dryRun = options.dryRun ?? false;
  const file = dryRun ? undefined : options.checkpoint;
  const kinds = Object.keys(options.targets) as StateKind[];
  if (kinds.length === 0) throw new InternalError('rebuild needs at least one latest-state table');

  let checkpoint: RebuildCheckpoint | undefined;
  if (options.resume) {
    if (!options.checkpoint) throw new UsageError('--resume needs a checkpoint file', { code: 'CHECKPOINT_UNUSABLE' });
    checkpoint = options.checkpoint.load();
    if (!checkpoint)
      throw new UsageError(`no rebuild to resume: ${options.checkpoint.path} does not exist`, {
        code: 'CHECKPOINT_UNUSABLE',
      });
    const why = resumeMismatch(checkpoint, {
      eventLog: options.eventLog,
      targets: options.targets,
      force,
      totalSegments: options.segments,
    });
    if (why)
      throw new UsageError(`cannot resume the rebuild in ${options.checkpoint.path}: ${why}`, {
        code: 'CHECKPOINT_UNUSABLE',
      });
  }
  const totalSegments = checkpoint?.totalSegments ?? options.segments ?? defaultSegments();
  if (!Number.isSafeInteger(totalSegments) || totalSegments < 1 || totalSegments > MAX_SEGMENTS) {
    throw new UsageError(`segments must be an integer from 1 to ${MAX_SEGMENTS}, got ${totalSegments}`);
  }
  const resumedFrom = checkpoint ? sumCounts(checkpoint.segments) : undefined;
  if (!checkpoint && file) {
    checkpoint = {
      format: 1,
      eventLog: options.eventLog,
      targets: options.targets,
      totalSegments,
      force,
      startedAt: new Date(started).toISOString(),
      updatedAt: '',
      segments: Array.from({ length: totalSegments }, () => ({ ...zeroCounts(), done: false })),
    };
    file.save(checkpoint);
  }

  const createdTables: string[] = [];
  if (!dryRun) {
    for (const kind of kinds) {
      const name = options.targets[kind] as string;
      if (await ensureTable(options.client, KINDS[kind].state.table, name)) createdTables.push(name);
    }
  }
  const itemCount = await approximateItemCount(options.client, options.eventLog);
  const tampering = await tamperStatus(options.doc, options.eventLog);

  const report: RebuildReport = {
    eventLog: options.eventLog,
    targets: options.targets,
    segments: totalSegments,
    force,
    dryRun,
    scanned: 0,
    arns: 0,
    written: 0,
    skippedNotNewer: 0,
    expired: 0,
    poison: 0,
    marked: 0,
    excluded: 0,
    tampered: tampering.entries,
    errors: 0,
    retries: 0,
    seconds: 0,
    examples: { poison: [], errors: [] },
    createdTables,
    ...(resumedFrom && { resumedFrom }),
    complete: false,
    interrupted: false,
    ...(file && { checkpoint: file.path }),
  };
  const total = Math.max(0, itemCount - (resumedFrom?.scanned ?? 0));
  const onRetries = (retries: number) => {
    report.retries += retries;
  };
  const example = (list: string[], text: string) => {
    if (list.length < MAX_EXAMPLES) list.push(text);
  };

  // Each segment's state (the checkpoint's, or this run's own): the missing marks it read are kept there.
  const segmentStates: SegmentCheckpoint[] = [];
  async function runSegment(segment: number): Promise<void> {
    const state: SegmentCheckpoint = checkpoint?.segments[segment] ?? { ...zeroCounts(), done: false };
    segmentStates[segment] = state;
    if (state.done) return;
    if (options.signal?.aborted) {
      report.interrupted = true;
      return;
    }
    const pending = state.pending
      ? await projectLogItem(options.doc, options.eventLog, state.pending, options.ttlDays, onRetries)
      : undefined;
    const scan = scanLatest(options.doc, {
      eventLog: options.eventLog,
      segment,
      totalSegments,
      kinds,
      ttlDays: options.ttlDays,
      pageSize: options.pageSize,
      startKey: state.startKey,
      pending,
      onRetries,
      trusts: (item) => tampering.keys.trusts(item),
    });
    for await (const page of scan) {
      const counts = { ...zeroCounts(), scanned: page.scanned, arns: page.emitted.length, poison: page.poison.length };
      for (const message of page.poison) example(report.examples.poison, message);
      await inParallel(page.emitted, options.writeConcurrency ?? 8, async (projection: Projection) => {
        if (dryRun) {
          if (isExpired(projection, now())) counts.expired++;
          else counts.written++;
          return;
        }
        const table = options.targets[projection.kind] as string;
        try {
          const outcome = await applyLatest(options.doc, table, projection, { force, nowMs: now(), onRetries });
          counts[outcome]++;
        } catch (e) {
          if (!isUnwritable(e)) throw e;
          counts.poison++;
          example(report.examples.poison, `${projection.arn} v${projection.version}: ${(e as Error).message}`);
        }
      });
      // Every write of this page has landed: only now may the checkpoint move past it.
      state.startKey = page.lastEvaluatedKey;
      state.pending = page.pending && { arn: page.pending.arn, version: page.pending.version };
      state.done = page.lastEvaluatedKey === undefined;
      if (page.marks.length > 0) state.marks = [...(state.marks ?? []), ...page.marks];
      addCounts(state, counts);
      report.scanned += counts.scanned;
      report.arns += counts.arns;
      report.written += counts.written;
      report.skippedNotNewer += counts.notNewer;
      report.expired += counts.expired;
      report.poison += counts.poison;
      report.excluded += page.excluded;
      if (checkpoint && file) file.save(checkpoint);
      options.onProgress?.({ scanned: report.scanned, written: report.written, total });
      if (options.signal?.aborted && !state.done) {
        report.interrupted = true;
        return;
      }
    }
  }

  await eachSegment(totalSegments, (segment) =>
    runSegment(segment).catch((e: unknown) => {
      report.errors++;
      example(report.examples.errors, `segment ${segment}: ${(e as Error).message}`);
    }),
  );
  report.complete = report.errors === 0 && !report.interrupted;
  // Missing marks (the reconciler's ghosts) land on the row of their version, so they wait until every
  // state is written: a mark read before its row would otherwise find no row to mark.
  if (report.complete && !dryRun) {
    const marks = segmentStates.flatMap((s) => s?.marks ?? []);
    await inParallel(marks, options.writeConcurrency ?? 8, async (mark: MissingMark) => {
      const table = options.targets[mark.kind];
      if (table && (await applyMark(options.doc, table, mark, { onRetries }))) report.marked++;
    });
  }
  if (report.complete) file?.remove();
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

function addCounts(into: SegmentCounts, add: SegmentCounts): void {
  for (const k of Object.keys(add) as (keyof SegmentCounts)[]) into[k] += add[k];
}

function sumCounts(segments: readonly SegmentCounts[]): SegmentCounts {
  const sum = zeroCounts();
  for (const s of segments) addCounts(sum, s);
  return sum;
}
