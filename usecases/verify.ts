import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DRIFT_KINDS, type Drift, type DriftKind, findDrift, type Row } from '../domain/drift.js';
import { DETAIL_TYPES, type DetailType, isDetailType, type StateKind } from '../domain/eventTypes.js';
import { isExpired } from '../domain/expiry.js';
import { type Projection, STATE_KEY } from '../domain/projection.js';
import { explainDynamoError } from '../infra/dynamoErrors.js';
import { detailTypesOf, latestFromLog, scanLatest } from '../infra/logScan.js';
import { type RetryOptions, withRetry } from '../infra/retry.js';
import { applyLatest, deleteIfVersion, replaceIfVersion } from '../infra/stateWrites.js';
import model from '../infra/tables.cjs';
import { inParallel } from './inParallel.js';
import { approximateItemCount, defaultSegments, ensureTable, STATE_TABLE_KIND, tableExists } from './rebuild.js';

export interface VerifyOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly client: DynamoDBClient;
  readonly eventLog: string;
  /** The latest-state tables to check, by kind (one or both). */
  readonly targets: Partial<Record<StateKind, string>>;
  readonly segments?: number | undefined;
  readonly pageSize?: number | undefined;
  readonly ttlDays: number;
  readonly now?: () => number;
  /** Only resources with a log event at or after this time (epoch ms); no orphan check. */
  readonly since?: number | undefined;
  /**
   * Waited for before suspects are checked again, so events still in flight on the stream are not
   * reported as drift. The CLI sleeps `--settle`; a test can drain its stream poller instead.
   */
  readonly settle?: () => Promise<void>;
  /** Re-project exactly the drifted keys. */
  readonly repair?: boolean;
  /** With `repair`: also delete orphan rows (kept and reported otherwise). */
  readonly deleteOrphans?: boolean;
  readonly onProgress?: (progress: { scanned: number; total: number }) => void;
  readonly retry?: RetryOptions;
}

export interface VerifyReport {
  readonly eventLog: string;
  readonly targets: Partial<Record<StateKind, string>>;
  /** ISO time of --since, when given. */
  readonly since?: string;
  /** Log items read (full check) or index items read (--since). */
  scanned: number;
  /** Resources whose log latest state was compared with its row. */
  arns: number;
  /** Rows checked for a log entry (the orphan check; not done with --since). */
  rows: number;
  /** Keys that looked drifted at first and were checked again after the settle wait. */
  suspects: number;
  /** Drift that was still there on the recheck. */
  drift: Drift[];
  counts: Record<DriftKind, number>;
  /** Target tables that do not exist (every live row of them is missing). */
  missingTables: string[];
  /** Log items that cannot be projected (not drift: the projector skips them too). */
  poison: number;
  /** With --repair: what was done, and the drift still there afterwards (orphans kept, lost races). */
  repair?: { repaired: number; orphansKept: number; remaining: Drift[] };
  seconds: number;
  /** No drift (or, with --repair, none left). */
  clean: boolean;
}

interface Suspect {
  readonly stateKind: StateKind;
  readonly arn: string;
}

/** A drifted key with what was read, for the repair. */
interface Finding {
  readonly drift: Drift;
  readonly expected: Projection | undefined;
  readonly row: Row | undefined;
}

const BATCH_GET_MAX = 100;
const LOOKUP_CONCURRENCY = 16;
const keyOf = (s: Suspect) => `${s.stateKind}\u0000${s.arn}`;

/**
 * Compares the latest-state tables with the log. Full check: a parallel Scan of the log reduced to
 * the latest state per resource (as rebuild does), each compared with its row (BatchGetItem); then a
 * Scan of each table whose rows are looked up in the log by (arn, version) to find orphans.
 * With `since`: the resources with a log event at or after it, from a Scan of the byClusterTime index
 * (small items, no event body) filtered on eventTime, each compared through a Query and a GetItem.
 * Suspects are checked again after `settle` with strongly consistent reads; only what is still
 * drifted is reported, and repaired with `repair`.
 */
export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const now = options.now ?? Date.now;
  const kinds = Object.keys(options.targets) as StateKind[];
  if (kinds.length === 0) throw new Error('verify needs at least one latest-state table');
  const report: VerifyReport = {
    eventLog: options.eventLog,
    targets: options.targets,
    ...(options.since !== undefined && { since: new Date(options.since).toISOString() }),
    scanned: 0,
    arns: 0,
    rows: 0,
    suspects: 0,
    drift: [],
    counts: Object.fromEntries(DRIFT_KINDS.map((k) => [k, 0])) as Record<DriftKind, number>,
    missingTables: [],
    poison: 0,
    seconds: 0,
    clean: false,
  };
  const missing = new Set<StateKind>();
  for (const kind of kinds) {
    if (!(await tableExists(options.client, options.targets[kind] as string))) {
      missing.add(kind);
      report.missingTables.push(options.targets[kind] as string);
    }
  }
  const ctx: Context = { ...options, now, missing, kinds };
  const suspects = new Map<string, Suspect>();
  const suspect = (s: Suspect) => suspects.set(keyOf(s), { stateKind: s.stateKind, arn: s.arn });

  if (options.since === undefined) await fullCheck(ctx, report, suspect);
  else await sinceCheck(ctx, options.since, report, suspect);
  report.suspects = suspects.size;

  let findings: Finding[] = [];
  if (suspects.size > 0) {
    await options.settle?.();
    findings = await recheck(ctx, [...suspects.values()]);
  }
  report.drift = findings.map((f) => f.drift);
  for (const d of report.drift) report.counts[d.kind]++;

  if (options.repair && findings.length > 0) {
    for (const kind of missing)
      await ensureTable(options.client, STATE_TABLE_KIND[kind], options.targets[kind] as string);
    missing.clear();
    let orphansKept = 0;
    await inParallel(findings, LOOKUP_CONCURRENCY, async (f) => {
      if (f.drift.kind === 'orphan' && !options.deleteOrphans) orphansKept++;
      else await repairOne(ctx, f);
    });
    const remaining = (
      await recheck(
        ctx,
        findings.map((f) => f.drift),
      )
    ).map((f) => f.drift);
    report.repair = { repaired: findings.length - remaining.length, orphansKept, remaining };
  }
  report.clean = (report.repair?.remaining ?? report.drift).length === 0;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

interface Context extends VerifyOptions {
  readonly now: () => number;
  readonly missing: Set<StateKind>;
  readonly kinds: StateKind[];
}

async function fullCheck(ctx: Context, report: VerifyReport, suspect: (s: Suspect) => void): Promise<void> {
  const totalSegments = ctx.segments ?? defaultSegments();
  const total = await approximateItemCount(ctx.client, ctx.eventLog);
  // The log side: every resource's latest state against its row (missing, stale, differs, ahead).
  await Promise.all(
    Array.from({ length: totalSegments }, async (_, segment) => {
      const pages = scanLatest(ctx.doc, {
        eventLog: ctx.eventLog,
        segment,
        totalSegments,
        kinds: ctx.kinds,
        ttlDays: ctx.ttlDays,
        pageSize: ctx.pageSize,
        retry: ctx.retry,
      });
      for await (const page of pages) {
        report.scanned += page.scanned;
        report.poison += page.poison.length;
        report.arns += page.emitted.length;
        for (const kind of ctx.kinds) {
          const expected = page.emitted.filter((p) => p.kind === kind);
          const rows = await readRows(
            ctx,
            kind,
            expected.map((p) => p.arn),
          );
          for (const p of expected) {
            if (findDrift({ stateKind: kind, arn: p.arn }, p, rows.get(p.arn), ctx.now())) {
              suspect({ stateKind: kind, arn: p.arn });
            }
          }
        }
        ctx.onProgress?.({ scanned: report.scanned, total });
      }
    }),
  );
  // The table side: rows whose (arn, version) is not in the log are orphans, or ahead, or corrupt.
  for (const kind of ctx.kinds) {
    if (ctx.missing.has(kind)) continue;
    const table = ctx.targets[kind] as string;
    await Promise.all(
      Array.from({ length: totalSegments }, async (_, segment) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await withRetry(
            () =>
              ctx.doc.send(
                new ScanCommand({
                  TableName: table,
                  Segment: segment,
                  TotalSegments: totalSegments,
                  Limit: ctx.pageSize,
                  ExclusiveStartKey: startKey,
                  ProjectionExpression: '#key, #version',
                  ExpressionAttributeNames: { '#key': STATE_KEY[kind], '#version': 'version' },
                }),
              ),
            ctx.retry,
          ).catch((e: unknown) => {
            throw explainDynamoError(e, { table });
          });
          const rows = (page.Items ?? []) as Row[];
          report.rows += rows.length;
          const arnOf = (row: Row) => row[STATE_KEY[kind]] as string;
          const withVersion = rows.filter((r) => typeof r.version === 'number' && Number.isSafeInteger(r.version));
          for (const row of rows) if (!withVersion.includes(row)) suspect({ stateKind: kind, arn: arnOf(row) });
          const found = await batchGet(
            ctx,
            ctx.eventLog,
            withVersion.map((r) => ({ arn: arnOf(r), version: r.version })),
            '#arn, #version',
            { '#arn': 'arn', '#version': 'version' },
          );
          const inLog = new Set(found.map((item) => `${item.arn}\u0000${item.version}`));
          for (const row of withVersion) {
            if (!inLog.has(`${arnOf(row)}\u0000${row.version}`)) suspect({ stateKind: kind, arn: arnOf(row) });
          }
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }),
    );
  }
}

async function sinceCheck(
  ctx: Context,
  since: number,
  report: VerifyReport,
  suspect: (s: Suspect) => void,
): Promise<void> {
  const index = model.tables.eventLog.indexes.find((i) => i.partitionKey === 'timelineKey')?.name as string;
  const totalSegments = ctx.segments ?? defaultSegments();
  const types = detailTypesOf(ctx.kinds);
  const typeValues = Object.fromEntries(types.map((t, i) => [`:t${i}`, t]));
  const candidates = new Map<string, Suspect>();
  await Promise.all(
    Array.from({ length: totalSegments }, async (_, segment) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await withRetry(
          () =>
            ctx.doc.send(
              new ScanCommand({
                TableName: ctx.eventLog,
                IndexName: index,
                Segment: segment,
                TotalSegments: totalSegments,
                Limit: ctx.pageSize,
                ExclusiveStartKey: startKey,
                FilterExpression: `#eventTime >= :since AND #detailType IN (${Object.keys(typeValues).join(', ')})`,
                ProjectionExpression: '#arn, #detailType',
                ExpressionAttributeNames: { '#arn': 'arn', '#detailType': 'detailType', '#eventTime': 'eventTime' },
                ExpressionAttributeValues: { ':since': since, ...typeValues },
              }),
            ),
          ctx.retry,
        ).catch((e: unknown) => {
          throw explainDynamoError(e, { table: ctx.eventLog, index });
        });
        report.scanned += page.ScannedCount ?? 0;
        for (const item of page.Items ?? []) {
          if (!isDetailType(item.detailType)) continue;
          const s = { stateKind: DETAIL_TYPES[item.detailType as DetailType] as StateKind, arn: item.arn as string };
          candidates.set(keyOf(s), s);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }),
  );
  report.arns = candidates.size;
  const findings = await recheck(ctx, [...candidates.values()]);
  for (const f of findings) suspect(f.drift);
}

/** Reads the log's latest state and the row again (strongly consistent) and keeps what is drifted. */
async function recheck(ctx: Context, keys: readonly Suspect[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  await inParallel(keys, LOOKUP_CONCURRENCY, async ({ stateKind, arn }) => {
    const [expected, row] = await Promise.all([
      latestFromLog(ctx.doc, ctx.eventLog, arn, ctx.ttlDays, ctx.retry),
      readRow(ctx, stateKind, arn),
    ]);
    const drift = findDrift({ stateKind, arn }, expected, row, ctx.now());
    if (drift) findings.push({ drift, expected, row });
  });
  return findings.sort((a, b) => a.drift.kind.localeCompare(b.drift.kind) || a.drift.arn.localeCompare(b.drift.arn));
}

/** Re-projects one drifted key; every write is conditional on what was read, so a live write always wins. */
async function repairOne(ctx: Context, { drift, expected, row }: Finding): Promise<void> {
  const table = ctx.targets[drift.stateKind] as string;
  const nowMs = ctx.now();
  if (drift.kind === 'missing' || drift.kind === 'stale') {
    if (expected) await applyLatest(ctx.doc, table, expected, { nowMs, retry: ctx.retry });
  } else if (drift.kind === 'orphan' || (expected && isExpired(expected, nowMs)) || !expected) {
    await deleteIfVersion(ctx.doc, table, drift.stateKind, drift.arn, row?.version, ctx.retry);
  } else {
    await replaceIfVersion(ctx.doc, table, expected, row?.version, ctx.retry);
  }
}

async function readRow(ctx: Context, kind: StateKind, arn: string): Promise<Row | undefined> {
  if (ctx.missing.has(kind)) return undefined;
  const { Item } = await withRetry(
    () =>
      ctx.doc.send(
        new GetCommand({
          TableName: ctx.targets[kind] as string,
          Key: { [STATE_KEY[kind]]: arn },
          ConsistentRead: true,
        }),
      ),
    ctx.retry,
  );
  return Item;
}

/** The rows of these resources, by ARN (BatchGetItem, 100 keys a request). */
async function readRows(ctx: Context, kind: StateKind, arns: readonly string[]): Promise<Map<string, Row>> {
  const rows = new Map<string, Row>();
  if (ctx.missing.has(kind) || arns.length === 0) return rows;
  const key = STATE_KEY[kind];
  const items = await batchGet(
    ctx,
    ctx.targets[kind] as string,
    [...new Set(arns)].map((arn) => ({ [key]: arn })),
  );
  for (const item of items) rows.set(item[key] as string, item);
  return rows;
}

/** BatchGetItem in chunks of 100, unprocessed keys retried with backoff until none is left. */
async function batchGet(
  ctx: Context,
  table: string,
  keys: readonly Record<string, unknown>[],
  projection?: string,
  names?: Record<string, string>,
): Promise<Row[]> {
  const out: Row[] = [];
  const unique = [...new Map(keys.map((k) => [JSON.stringify(k), k])).values()];
  for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
    let pending: Record<string, unknown>[] | undefined = unique.slice(i, i + BATCH_GET_MAX);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      const request = pending;
      const result = await withRetry(
        () =>
          ctx.doc.send(
            new BatchGetCommand({
              RequestItems: {
                [table]: {
                  Keys: request,
                  ...(projection && { ProjectionExpression: projection, ExpressionAttributeNames: names }),
                },
              },
            }),
          ),
        ctx.retry,
      );
      out.push(...((result.Responses?.[table] ?? []) as Row[]));
      pending = result.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
      if (pending?.length) await new Promise((r) => setTimeout(r, Math.min(5_000, 50 * 2 ** attempt)));
    }
  }
  return out;
}
