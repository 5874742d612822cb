import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { parseEcsArn } from '../domain/arn.js';
import { UsageError } from '../domain/errors.js';
import { KINDS, type StateKind } from '../domain/kinds.js';
import type { LogItem } from '../domain/logItem.js';
import { missingItem, observationItem } from '../domain/observation.js';
import { type Comparison, compare, RECONCILE_CLASSES, type ReconcileClass } from '../domain/reconcile.js';
import type { TableNames } from '../infra/config.js';
import type { ApiCalls, Described, EcsGateway } from '../infra/ecs.js';
import { appendObserved } from '../infra/logAppend.js';
import { queryLiveClusterRows, readStateRows } from '../infra/stateQueries.js';
import { inParallel } from './inParallel.js';

export interface ReconcileOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: TableNames;
  readonly ecs: EcsGateway;
  /** Cluster names or ARNs; default every cluster ListClusters returns (this account and Region only). */
  readonly clusters?: readonly string[] | undefined;
  /** Compare and report; append nothing. */
  readonly dryRun?: boolean;
  /** As ingest: replace container-override environment values by a marker in observations. */
  readonly redactEnvironment: boolean;
  /** As ingest (LOG_RETENTION_DAYS): days the log keeps what the reconciler appends; 0 = forever. */
  readonly logRetentionDays?: number;
  readonly now?: () => number;
  /** Told when a cluster is done (CLI progress). */
  readonly onCluster?: (clusterArn: string) => void;
}

/**
 * What became of a finding's repair:
 * - appended:      the observation or missing mark is in the log now (the projector takes it from there);
 * - alreadyLogged: its key was in the log already (an earlier run; not projected yet): nothing written;
 * - wouldAppend:   --dry-run: it would have been appended;
 * - reportOnly:    nothing may be written (no version, or an object the log could not hold).
 */
export type RepairOutcome = 'appended' | 'alreadyLogged' | 'wouldAppend' | 'reportOnly';

export interface Finding extends Comparison {
  readonly outcome?: RepairOutcome;
  /** Why a finding is report-only. */
  readonly note?: string;
}

export interface ReconcileReport {
  readonly dryRun: boolean;
  readonly clusters: string[];
  /** Resources per class, both kinds together. */
  readonly counts: Record<ReconcileClass, number>;
  /** Resources per class and kind. */
  readonly byKind: Record<StateKind, Record<ReconcileClass, number>>;
  /** Every resource not in `agree`, with what its repair did. */
  readonly findings: Finding[];
  /** Ghosts whose row already holds their missing mark (counted in `agree`). */
  marked: number;
  readonly repair: { appended: number; alreadyLogged: number; wouldAppend: number; reportOnly: number };
  /** ECS requests per operation (attempts included) and the SDK's retries after throttling. */
  readonly apiCalls: ApiCalls;
  seconds: number;
  /** Every resource agrees: the exit code 0 of `ecs-events reconcile`. */
  clean: boolean;
}

const zero = (): Record<ReconcileClass, number> =>
  Object.fromEntries(RECONCILE_CLASSES.map((c) => [c, 0])) as Record<ReconcileClass, number>;

const APPEND_CONCURRENCY = 8;

/**
 * Compares the store with the ECS API, cluster by cluster, and repairs through the log only
 * (docs/reconcile.md). Tasks: ListTasks RUNNING and, separately, STOPPED (ListTasks defaults to
 * RUNNING: a reconciler that forgets STOPPED calls every stopped task a ghost); container instances:
 * ListContainerInstances (every status but INACTIVE). The listed ARNs are described 100 at a time
 * (tasks with their tags), and so are the rows' own ARNs that ECS did not list, which tells a ghost
 * (MISSING) from an INACTIVE instance or a task that stopped meanwhile. Each resource is classified
 * (domain/reconcile.ts); `missing` and `behind` append an observation, `ghost` a missing mark.
 * Rows are only ever read: the projector turns what was appended into rows, with its own rule.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const started = Date.now();
  const now = options.now ?? Date.now;
  const report: ReconcileReport = {
    dryRun: options.dryRun ?? false,
    clusters: [],
    counts: zero(),
    byKind: { task: zero(), instance: zero() },
    findings: [],
    marked: 0,
    repair: { appended: 0, alreadyLogged: 0, wouldAppend: 0, reportOnly: 0 },
    apiCalls: options.ecs.calls,
    seconds: 0,
    clean: false,
  };
  const clusters = await clusterArns(options.ecs, options.clusters);
  for (const cluster of clusters) {
    report.clusters.push(cluster);
    for (const kind of ['instance', 'task'] as const) {
      const comparisons = await compareCluster(options, kind, cluster);
      await inParallel(comparisons, APPEND_CONCURRENCY, async (compared) => {
        const c = compared.comparison;
        report.counts[c.class]++;
        report.byKind[kind][c.class]++;
        if (c.marked) report.marked++;
        if (c.class === 'agree') return;
        const finding = await repair(options, compared, now);
        if (finding.outcome) report.repair[finding.outcome]++;
        report.findings.push(finding);
      });
    }
    options.onCluster?.(cluster);
  }
  report.findings.sort(
    (a, b) =>
      RECONCILE_CLASSES.indexOf(a.class) - RECONCILE_CLASSES.indexOf(b.class) ||
      a.kind.localeCompare(b.kind) ||
      a.arn.localeCompare(b.arn),
  );
  report.clean = report.findings.length === 0;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** The clusters to reconcile as ARNs (the state tables key rows by cluster ARN): names are looked up in ListClusters. */
async function clusterArns(ecs: EcsGateway, given: readonly string[] | undefined): Promise<string[]> {
  const wanted = [...new Set(given ?? [])];
  if (wanted.length > 0 && wanted.every((c) => parseEcsArn(c)?.resourceType === 'cluster')) return wanted;
  const listed = await ecs.listClusters();
  if (wanted.length === 0) return listed.sort();
  return wanted.map((c) => {
    if (parseEcsArn(c)?.resourceType === 'cluster') return c;
    const arn = listed.find((a) => a.endsWith(`:cluster/${c}`));
    if (!arn)
      throw new UsageError(`no cluster named "${c}" in this account and Region (ListClusters)`, {
        code: 'UNKNOWN_CLUSTER',
      });
    return arn;
  });
}

type Row = Record<string, unknown>;

/** A comparison with the API object it was made from (observations are built from it; findings stay small). */
interface Compared {
  readonly comparison: Comparison;
  readonly api?: Record<string, unknown> | undefined;
}

/** Reads both sides of one kind in one cluster and classifies every resource either side knows. */
async function compareCluster(options: ReconcileOptions, kind: StateKind, cluster: string): Promise<Compared[]> {
  const { ecs, doc, tables } = options;
  // ECS first, rows after: a resource that appears in between is then described as not listed, never a ghost.
  const listed =
    kind === 'task'
      ? [...new Set([...(await ecs.listTasks(cluster, 'RUNNING')), ...(await ecs.listTasks(cluster, 'STOPPED'))])]
      : await ecs.listContainerInstances(cluster);
  const listedSet = new Set(listed);
  const rows = new Map<string, Row>();
  for await (const row of queryLiveClusterRows(doc, tables, kind, cluster)) {
    rows.set(row[KINDS[kind].state.key] as string, row);
  }
  const describe = (arns: readonly string[]): Promise<Described> =>
    arns.length === 0
      ? Promise.resolve({ found: [], failures: [] })
      : kind === 'task'
        ? ecs.describeTasks(cluster, arns)
        : ecs.describeContainerInstances(cluster, arns);
  const notListed = [...rows.keys()].filter((arn) => !listedSet.has(arn));
  const answers = [await describe(listed), await describe(notListed)];
  const rowsOfListed = await readStateRows(
    doc,
    tables[KINDS[kind].state.table],
    kind,
    listed.filter((arn) => !rows.has(arn)),
  );
  for (const [arn, row] of rowsOfListed) rows.set(arn, row);

  const arnField = KINDS[kind].arnField;
  const api = new Map<string, Record<string, unknown>>();
  const failures = new Map<string, string>();
  for (const answer of answers) {
    for (const o of answer.found) if (typeof o[arnField] === 'string') api.set(o[arnField] as string, o);
    for (const f of answer.failures) failures.set(f.arn, f.reason);
  }
  const out: Compared[] = [];
  for (const arn of new Set([...api.keys(), ...rows.keys()])) {
    const found = api.get(arn);
    const row = rows.get(arn);
    const clusterArn =
      (typeof found?.clusterArn === 'string' && found.clusterArn) ||
      (typeof row?.clusterArn === 'string' && row.clusterArn) ||
      cluster;
    const c = compare({ kind, arn, clusterArn, row, api: found, failure: failures.get(arn) });
    if (c) out.push({ comparison: c, api: found });
  }
  return out;
}

/** Carries out one finding's repair: an append to the log, or nothing. */
async function repair(
  options: ReconcileOptions,
  { comparison: c, api }: Compared,
  now: () => number,
): Promise<Finding> {
  if (c.repair === 'none') return c;
  if (c.repair === 'noVersion') return { ...c, outcome: 'reportOnly', note: 'no version: versions are never invented' };
  const observedAt = now();
  const stamp = { ingestedAt: observedAt, ingestId: ulid(), retentionDays: options.logRetentionDays ?? 0 };
  let item: LogItem;
  if (c.repair === 'markMissing') {
    item = missingItem(
      {
        kind: c.kind,
        arn: c.arn,
        clusterArn: c.clusterArn,
        rowVersion: c.rowVersion as number,
        reason: c.ecsFailure ?? 'NOT_RETURNED',
        observedAt,
        id: ulid(),
      },
      stamp,
    );
  } else {
    const built = observationItem(
      {
        kind: c.kind,
        apiObject: api as Record<string, unknown>,
        clusterArn: c.clusterArn,
        observedAt,
        id: ulid(),
        redactEnvironment: options.redactEnvironment,
      },
      stamp,
    );
    if (!built.ok) return { ...c, outcome: 'reportOnly', note: `not logged: ${built.reason}` };
    item = built.item;
  }
  if (options.dryRun) return { ...c, outcome: 'wouldAppend' };
  const outcome = await appendObserved(options.doc, options.tables.eventLog, item);
  return { ...c, outcome: outcome === 'appended' ? 'appended' : 'alreadyLogged' };
}
