import { DRIFT_KINDS, type Drift, type DriftKind, findDrift } from '../domain/drift.js';
import { InternalError } from '../domain/errors.js';
import { KINDS, observationKindOf, observedPartition, type StateKind } from '../domain/kinds.js';
import { LAST_SEEN_MISSING_AT } from '../domain/projection.js';
import { type Finding, type RepairAction, repairAction } from '../domain/repair.js';
import { existingLogKeys, latestStateFromLog } from '../infra/logQueries.js';
import { type StateResource, scanChangedSince, scanLatest } from '../infra/logScan.js';
import { readStateRow, readStateRows, scanStateVersions } from '../infra/stateQueries.js';
import { applyLatest, deleteIfVersion, replaceIfVersion } from '../infra/stateWrites.js';
import { approximateItemCount, ensureTable, tableExists } from '../infra/tableAdmin.js';
import { inParallel } from './inParallel.js';
import { defaultSegments, eachSegment, type LogScanOptions } from './segments.js';
import { type TamperedEntry, tamperStatus } from './tampered.js';

export interface VerifyOptions extends LogScanOptions {
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
  /**
   * The log's tampered keys (domain/tamper.ts). A resource with a key that is not `trusted` is held:
   * neither compared nor repaired (the log no longer says for sure what its state is), and the
   * report is not clean until the item is restored (docs/operations.md).
   */
  tampered: TamperedEntry[];
  /** With --repair: what was done, and the drift still there afterwards (orphans kept, lost races). */
  repair?: { repaired: number; orphansKept: number; remaining: Drift[] };
  seconds: number;
  /** No drift (or, with --repair, none left), and no tampered key held. */
  clean: boolean;
}

const LOOKUP_CONCURRENCY = 16;
const keyOf = (s: StateResource) => `${s.stateKind}\u0000${s.arn}`;

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
  if (kinds.length === 0) throw new InternalError('verify needs at least one latest-state table');
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
    tampered: [],
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
  const tampering = await tamperStatus(options.doc, options.eventLog);
  report.tampered = tampering.entries;
  const ctx: Context = {
    ...options,
    now,
    missing,
    kinds,
    held: tampering.held,
    trusts: (item) => tampering.keys.trusts(item),
  };
  const suspects = new Map<string, StateResource>();
  const suspect = (s: StateResource) => {
    if (!ctx.held.has(s.arn)) suspects.set(keyOf(s), { stateKind: s.stateKind, arn: s.arn });
  };

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
      await ensureTable(options.client, KINDS[kind].state.table, options.targets[kind] as string);
    missing.clear();
    let orphansKept = 0;
    await inParallel(findings, LOOKUP_CONCURRENCY, async (f) => {
      const action = repairAction(f, { nowMs: ctx.now(), deleteOrphans: options.deleteOrphans ?? false });
      if (action.type === 'keep' && f.drift.kind === 'orphan') orphansKept++;
      await execute(ctx, f.drift.stateKind, action);
    });
    const remaining = (
      await recheck(
        ctx,
        findings.map((f) => f.drift),
      )
    ).map((f) => f.drift);
    report.repair = { repaired: findings.length - remaining.length, orphansKept, remaining };
  }
  report.clean = (report.repair?.remaining ?? report.drift).length === 0 && tampering.held.size === 0;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

interface Context extends VerifyOptions {
  readonly now: () => number;
  readonly missing: Set<StateKind>;
  readonly kinds: StateKind[];
  /** Resources with an untrusted tampered key: never compared, never repaired. */
  readonly held: Set<string>;
  readonly trusts: (item: Record<string, unknown>) => boolean;
}

/** A row without its missing mark (compared on its own, from the mark's log item). */
function withoutMark(row: Record<string, unknown>): Record<string, unknown> {
  if (!(LAST_SEEN_MISSING_AT in row)) return row;
  const { [LAST_SEEN_MISSING_AT]: _mark, ...rest } = row;
  return rest;
}

async function fullCheck(ctx: Context, report: VerifyReport, suspect: (s: StateResource) => void): Promise<void> {
  const totalSegments = ctx.segments ?? defaultSegments();
  const total = await approximateItemCount(ctx.client, ctx.eventLog);
  // The log side: every resource's latest state against its row (missing, stale, differs, ahead).
  await eachSegment(totalSegments, async (segment) => {
    const pages = scanLatest(ctx.doc, {
      eventLog: ctx.eventLog,
      segment,
      totalSegments,
      kinds: ctx.kinds,
      ttlDays: ctx.ttlDays,
      pageSize: ctx.pageSize,
      trusts: ctx.trusts,
    });
    for await (const page of pages) {
      report.scanned += page.scanned;
      report.poison += page.poison.length;
      report.arns += page.emitted.length;
      for (const kind of ctx.kinds) {
        const expected = page.emitted.filter((p) => p.kind === kind);
        const marks = page.marks.filter((m) => m.kind === kind);
        const rows = await readRows(ctx, kind, [...expected.map((p) => p.arn), ...marks.map((m) => m.arn)]);
        for (const p of expected) {
          const row = rows.get(p.arn);
          // A task's or instance's states are in two partitions (events, observations), each its own
          // run here: a row above this run's version may hold the other's, which the table side checks.
          if (typeof row?.version === 'number' && row.version > p.version) continue;
          // The missing mark is checked below, from the mark's own item.
          if (findDrift({ stateKind: kind, arn: p.arn }, p, row && withoutMark(row), ctx.now())) {
            suspect({ stateKind: kind, arn: p.arn });
          }
        }
        for (const m of marks) {
          const row = rows.get(m.arn);
          const at = row?.[LAST_SEEN_MISSING_AT];
          if (row?.version === m.version && !(typeof at === 'number' && at >= m.at)) {
            suspect({ stateKind: kind, arn: m.arn });
          }
        }
      }
      ctx.onProgress?.({ scanned: report.scanned, total });
    }
  });
  // The table side: rows whose (arn, version) is not in the log are orphans, or ahead, or corrupt.
  for (const kind of ctx.kinds) {
    if (ctx.missing.has(kind)) continue;
    const table = ctx.targets[kind] as string;
    await eachSegment(totalSegments, async (segment) => {
      const pages = scanStateVersions(ctx.doc, { table, kind, segment, totalSegments, pageSize: ctx.pageSize });
      for await (const rows of pages) {
        report.rows += rows.length;
        // A row's log key: its events' partition, or for a state the reconciler observed, `<arn>#observed`.
        const withVersion: { arn: string; version: number; key: string }[] = [];
        for (const row of rows) {
          if (typeof row.version === 'number' && Number.isSafeInteger(row.version)) {
            const key = row.observed ? observedPartition(observationKindOf(kind), row.arn) : row.arn;
            withVersion.push({ arn: row.arn, version: row.version, key });
          } else suspect({ stateKind: kind, arn: row.arn });
        }
        const keys = withVersion.map((r) => ({ arn: r.key, version: r.version }));
        const inLog = new Set(
          (await existingLogKeys(ctx.doc, ctx.eventLog, keys)).map((k) => `${k.arn}\u0000${k.version}`),
        );
        for (const row of withVersion) {
          if (!inLog.has(`${row.key}\u0000${row.version}`)) suspect({ stateKind: kind, arn: row.arn });
        }
      }
    });
  }
}

async function sinceCheck(
  ctx: Context,
  since: number,
  report: VerifyReport,
  suspect: (s: StateResource) => void,
): Promise<void> {
  const totalSegments = ctx.segments ?? defaultSegments();
  const candidates = new Map<string, StateResource>();
  await eachSegment(totalSegments, async (segment) => {
    const pages = scanChangedSince(ctx.doc, {
      eventLog: ctx.eventLog,
      segment,
      totalSegments,
      kinds: ctx.kinds,
      sinceMs: since,
      pageSize: ctx.pageSize,
    });
    for await (const page of pages) {
      report.scanned += page.scanned;
      for (const s of page.resources) candidates.set(keyOf(s), s);
    }
  });
  report.arns = candidates.size;
  const findings = await recheck(ctx, [...candidates.values()]);
  for (const f of findings) suspect(f.drift);
}

/** Reads the log's latest state and the row again (strongly consistent) and keeps what is drifted. */
async function recheck(ctx: Context, keys: readonly StateResource[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const checked = keys.filter((k) => !ctx.held.has(k.arn));
  await inParallel(checked, LOOKUP_CONCURRENCY, async ({ stateKind, arn }) => {
    const [{ expected, alternatives }, row] = await Promise.all([
      latestStateFromLog(ctx.doc, ctx.eventLog, stateKind, arn, ctx.ttlDays),
      ctx.missing.has(stateKind) ? undefined : readStateRow(ctx.doc, ctx.targets[stateKind] as string, stateKind, arn),
    ]);
    const drift = findDrift({ stateKind, arn }, expected, row, ctx.now());
    // An event and an observation of one version are one state: a row may hold either.
    if (drift?.kind === 'differs' && alternatives.some((p) => !findDrift({ stateKind, arn }, p, row, ctx.now())))
      return;
    if (drift) findings.push({ drift, expected, row });
  });
  return findings.sort((a, b) => a.drift.kind.localeCompare(b.drift.kind) || a.drift.arn.localeCompare(b.drift.arn));
}

/** Carries out one repair (domain/repair.ts decides which). */
async function execute(ctx: Context, kind: StateKind, action: RepairAction): Promise<void> {
  const table = ctx.targets[kind] as string;
  switch (action.type) {
    case 'putIfNewer':
      await applyLatest(ctx.doc, table, action.projection, { nowMs: ctx.now() });
      return;
    case 'replaceIfVersion':
      await replaceIfVersion(ctx.doc, table, action.projection, action.observedVersion);
      return;
    case 'deleteIfVersion':
      await deleteIfVersion(ctx.doc, table, action.stateKind, action.arn, action.observedVersion);
      return;
    case 'keep':
      return;
  }
}

/** The rows of these resources, by ARN; none when the table does not exist. */
async function readRows(ctx: Context, kind: StateKind, arns: readonly string[]) {
  if (ctx.missing.has(kind) || arns.length === 0) return new Map<string, Record<string, unknown>>();
  return readStateRows(ctx.doc, ctx.targets[kind] as string, kind, arns);
}
