import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { archiveRowOf, stagedLine } from '../domain/archive/row.js';
import { PARTITION_COLUMN } from '../domain/archive/schema.js';
import { UsageError } from '../domain/errors.js';
import { type WrittenFile, writeArchiveFiles } from '../infra/duckdb.js';
import { scanLogPages } from '../infra/logExportScan.js';
import { defaultSegments, eachSegment, MAX_SEGMENTS } from './segments.js';

// `ecs-events export --out DIR`: the whole log as Parquet, the layout Firehose writes to S3
// (day=YYYY-MM-DD/, SNAPPY, sorted by account and region). Two stages, both resumable:
// 1. a parallel Scan, each segment appending its rows to its own NDJSON file in DIR/.export/,
//    checkpointed per page (the page's rows are on disk before the checkpoint moves past it);
// 2. DuckDB turns the staged rows into Parquet files, which then replace the previous export's
//    files in DIR (files of the local archiver, `live-*`, stay: the view removes duplicates).

interface SegmentState {
  startKey?: Record<string, unknown> | undefined;
  /** Bytes of the segment's staging file covered by the checkpoint (more is a page not checkpointed). */
  bytes: number;
  scanned: number;
  rows: number;
  markers: number;
  unreadable: number;
  done: boolean;
}

interface ExportCheckpoint {
  readonly format: 1;
  readonly eventLog: string;
  readonly runId: string;
  readonly totalSegments: number;
  readonly segments: SegmentState[];
}

export interface ExportOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly eventLog: string;
  readonly out: string;
  readonly segments?: number | undefined;
  readonly pageSize?: number | undefined;
  /** Continue the export whose checkpoint is in DIR/.export instead of starting over. */
  readonly resume?: boolean;
  /** Rows of one file at most this many staged bytes (default: Firehose's 64 MiB buffer). */
  readonly bufferBytes?: number;
  readonly signal?: AbortSignal | undefined;
  /** Where the files go once written locally (export --s3): called per file, relative path. */
  readonly publish?: (file: WrittenFile, localPath: string) => Promise<void>;
  readonly onProgress?: (p: { scanned: number; rows: number }) => void;
}

export interface ExportReport {
  readonly eventLog: string;
  readonly out: string;
  segments: number;
  scanned: number;
  /** Log items written as rows. */
  rows: number;
  /** Tamper markers and trust marks: not events, not archived, counted. */
  markers: number;
  /** Items whose event cannot be decoded: not archived, counted, examples below. */
  unreadable: number;
  files: WrittenFile[];
  bytes: number;
  days: number;
  seconds: number;
  scanSeconds: number;
  complete: boolean;
  interrupted: boolean;
  resumed: boolean;
  readonly examples: string[];
}

const WORK = '.export';
const CHECKPOINT = 'checkpoint.json';

/** The export's working directory inside DIR (staging, checkpoint, DuckDB's spill files). */
export const exportWorkDir = (out: string): string => join(out, WORK);

function saveCheckpoint(path: string, checkpoint: ExportCheckpoint): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(checkpoint)}\n`);
  renameSync(tmp, path);
}

function loadCheckpoint(path: string): ExportCheckpoint | undefined {
  if (!existsSync(path)) return undefined;
  const c = JSON.parse(readFileSync(path, 'utf8')) as ExportCheckpoint;
  if (c.format !== 1 || !Array.isArray(c.segments))
    throw new UsageError(`${path} is not an export checkpoint`, { code: 'CHECKPOINT_UNUSABLE' });
  return c;
}

export async function exportLog(options: ExportOptions): Promise<ExportReport> {
  const started = Date.now();
  const work = exportWorkDir(options.out);
  const checkpointPath = join(work, CHECKPOINT);
  let checkpoint = options.resume ? loadCheckpoint(checkpointPath) : undefined;
  if (options.resume && !checkpoint)
    throw new UsageError(`no export to resume: ${checkpointPath} does not exist`, { code: 'CHECKPOINT_UNUSABLE' });
  if (checkpoint && checkpoint.eventLog !== options.eventLog)
    throw new UsageError(`cannot resume: the export in ${work} reads ${checkpoint.eventLog}, not ${options.eventLog}`, {
      code: 'CHECKPOINT_UNUSABLE',
    });
  const totalSegments = checkpoint?.totalSegments ?? options.segments ?? defaultSegments();
  if (!Number.isSafeInteger(totalSegments) || totalSegments < 1 || totalSegments > MAX_SEGMENTS)
    throw new UsageError(`segments must be an integer from 1 to ${MAX_SEGMENTS}, got ${totalSegments}`);
  const resumed = checkpoint !== undefined;
  if (!checkpoint) {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    checkpoint = {
      format: 1,
      eventLog: options.eventLog,
      runId: new Date(started).toISOString().replace(/[-:.]/g, '').slice(0, 15),
      totalSegments,
      segments: Array.from({ length: totalSegments }, () => ({
        bytes: 0,
        scanned: 0,
        rows: 0,
        markers: 0,
        unreadable: 0,
        done: false,
      })),
    };
    saveCheckpoint(checkpointPath, checkpoint);
  }
  const cp = checkpoint;
  const report: ExportReport = {
    eventLog: options.eventLog,
    out: options.out,
    segments: totalSegments,
    scanned: 0,
    rows: 0,
    markers: 0,
    unreadable: 0,
    files: [],
    bytes: 0,
    days: 0,
    seconds: 0,
    scanSeconds: 0,
    complete: false,
    interrupted: false,
    resumed,
    examples: [],
  };
  const stagedPath = (segment: number) => join(work, `segment-${segment}.ndjson`);

  async function runSegment(segment: number): Promise<void> {
    const state = cp.segments[segment] as SegmentState;
    if (state.done) return;
    const fd = openSync(stagedPath(segment), existsSync(stagedPath(segment)) ? 'r+' : 'w');
    try {
      // A page written after the last checkpoint is dropped: it is scanned again.
      ftruncateSync(fd, state.bytes);
      const pages = scanLogPages(options.doc, {
        eventLog: options.eventLog,
        segment,
        totalSegments,
        pageSize: options.pageSize,
        startKey: state.startKey,
      });
      for await (const page of pages) {
        let text = '';
        for (const item of page.items) {
          const outcome = archiveRowOf(item);
          if (outcome.type === 'row') {
            text += stagedLine(outcome.row);
            state.rows++;
          } else {
            state[outcome.reason === 'marker' ? 'markers' : 'unreadable']++;
            if (outcome.reason === 'unreadable' && report.examples.length < 10) report.examples.push(outcome.message);
          }
        }
        const bytes = Buffer.from(text);
        writeSync(fd, bytes, 0, bytes.length, state.bytes);
        state.bytes += bytes.length;
        state.scanned += page.scanned;
        state.startKey = page.lastEvaluatedKey;
        state.done = page.lastEvaluatedKey === undefined;
        saveCheckpoint(checkpointPath, cp);
        options.onProgress?.({
          scanned: cp.segments.reduce((s, x) => s + x.scanned, 0),
          rows: cp.segments.reduce((s, x) => s + x.rows, 0),
        });
        if (options.signal?.aborted && !state.done) {
          report.interrupted = true;
          return;
        }
      }
      state.done = true;
      saveCheckpoint(checkpointPath, cp);
    } finally {
      closeSync(fd);
    }
  }

  await eachSegment(totalSegments, runSegment);
  for (const s of cp.segments) {
    report.scanned += s.scanned;
    report.rows += s.rows;
    report.markers += s.markers;
    report.unreadable += s.unreadable;
  }
  report.scanSeconds = (Date.now() - started) / 1000;
  if (report.interrupted || cp.segments.some((s) => !s.done)) {
    report.seconds = report.scanSeconds;
    return report;
  }

  // Stage 2: Parquet files, written beside the staging, then moved in over the previous export's.
  const fresh = join(work, 'files');
  rmSync(fresh, { recursive: true, force: true });
  const prefix = `export-${cp.runId}`;
  const files = await writeArchiveFiles({
    staged: cp.segments.map((_, i) => stagedPath(i)),
    outDir: fresh,
    workDir: work,
    filePrefix: prefix,
    bufferBytes: options.bufferBytes,
  });
  if (options.publish) {
    for (const f of files) await options.publish(f, join(fresh, f.path));
  } else {
    for (const d of existsSync(options.out) ? readdirSync(options.out) : []) {
      if (!d.startsWith(`${PARTITION_COLUMN}=`)) continue;
      for (const f of readdirSync(join(options.out, d)))
        if (f.startsWith('export-') && !f.startsWith(prefix)) rmSync(join(options.out, d, f));
    }
    for (const f of files) {
      mkdirSync(join(options.out, f.path, '..'), { recursive: true });
      renameSync(join(fresh, f.path), join(options.out, f.path));
    }
  }
  rmSync(work, { recursive: true, force: true });
  report.files = files;
  report.bytes = files.reduce((s, f) => s + f.bytes, 0);
  report.days = new Set(files.map((f) => f.day)).size;
  report.complete = true;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
