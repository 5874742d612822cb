import type { TimelineEntry } from '../../domain/audit/timeline.js';
import type { EcsEvent } from '../../domain/eventTypes.js';
import { parseEvent } from '../../domain/parseEvent.js';
import { generateWorkload } from '../../sim/clusterWorkload.js';
import { seededRandom } from '../../sim/random.js';
import { generateServiceWorkload, serviceAction } from '../../sim/serviceWorkload.js';

const DAY = 86_400_000;
/**
 * The estate starts five days before the run's day, at 00:17:03 UTC (off the hour and day boundaries):
 * relative to the run, so its STOPPED rows are never past their 30-day TTL, whatever the date.
 */
export const START_MS = Math.floor(Date.now() / DAY) * DAY - 5 * DAY + (17 * 60 + 3) * 1000;

export interface AuditLogOptions {
  readonly seed: number;
  readonly tasks: number;
  readonly instances: number;
  readonly clusters: number;
  readonly days: number;
}

/**
 * A multi-day, multi-cluster estate: task and instance lifecycles, service actions and deployments
 * (one legacy `service/<name>` service), a few tasks of a same-named cluster in another region (so a
 * bare cluster name can be ambiguous), and service actions in the very second of task events (ties
 * across ARNs, and so across timeline shards).
 */
export function auditEvents(options: AuditLogOptions): EcsEvent[] {
  const rng = seededRandom(options.seed);
  const spanMs = options.days * DAY;
  const base = { startMs: START_MS, spanMs, clusters: options.clusters };
  const tasks = generateWorkload(rng, { ...base, tasks: options.tasks, instances: options.instances });
  // Keep one steady-state report in four: enough service events on every day, fewer to ingest.
  const services = generateServiceWorkload(rng, { ...base, servicesPerCluster: 1, legacyService: true }).filter(
    (e, i) => e.detail.eventName !== 'SERVICE_STEADY_STATE' || i % 4 === 0,
  );
  const elsewhere = generateWorkload(rng, { ...base, tasks: 3, instances: 1, clusters: 1, region: 'eu-west-1' });
  const ties = tasks
    .filter((_, i) => i % 37 === 0)
    .map((e) => {
      const clusterArn = e.detail.clusterArn as string;
      const service = {
        serviceArn: clusterArn.replace(':cluster/', ':service/').concat('/web'),
        clusterArn,
        region: 'us-east-1',
        account: '111122223333',
      };
      return serviceAction(rng, service, Date.parse(e.time as string), 'WARN', 'SERVICE_TASK_START_IMPAIRED');
    });
  return [...tasks, ...services, ...elsewhere, ...ties];
}

/** A log item as the oracle sees it: computed from the events with the domain parser, never read from DynamoDB. */
export interface OracleItem extends TimelineEntry {
  readonly event: string;
  readonly detail: Record<string, unknown>;
}

/** The distinct log items the events make (a duplicate arn+version keeps the first). */
export function oracleItems(events: readonly EcsEvent[]): OracleItem[] {
  const items = new Map<string, OracleItem>();
  for (const e of events) {
    const parsed = parseEvent(e, { redactEnvironment: true });
    if (!parsed.ok) throw new Error(`fixture event rejected: ${parsed.rejection.message}`);
    const p = parsed.value;
    const key = `${p.arn}#${p.version}`;
    if (items.has(key)) continue;
    const d = p.event.detail;
    const summary = Object.fromEntries(
      ['lastStatus', 'desiredStatus', 'status', 'agentConnected', 'stopCode', 'eventType', 'eventName']
        .filter((f) => typeof d[f] === 'string' || typeof d[f] === 'boolean')
        .map((f) => [f, d[f]]),
    );
    items.set(key, {
      arn: p.arn,
      version: p.version,
      eventTime: p.eventTime,
      detailType: p.detailType,
      ...(p.clusterArn !== undefined && { clusterArn: p.clusterArn }),
      ...(p.eventId !== undefined && { eventId: p.eventId }),
      ...summary,
      event: JSON.stringify(p.event),
      detail: d,
    });
  }
  return [...items.values()];
}

export const key = (i: { arn: string; version: number }): string => `${i.arn}#${i.version}`;

const byTime = (a: OracleItem, b: OracleItem) =>
  a.eventTime - b.eventTime || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0) || a.version - b.version;

const within = (t: number, since?: number, until?: number) =>
  (since === undefined || t >= since) && (until === undefined || t < until);

/** The oracle's answers, written out plainly from the rules in the README. */
export const oracle = {
  history(
    items: readonly OracleItem[],
    arn: string,
    q: { sinceMs?: number; untilMs?: number; fromVersion?: number; toVersion?: number } = {},
  ): OracleItem[] {
    return items
      .filter(
        (i) =>
          i.arn === arn &&
          within(i.eventTime, q.sinceMs, q.untilMs) &&
          (q.fromVersion === undefined || i.version >= q.fromVersion) &&
          (q.toVersion === undefined || i.version <= q.toVersion),
      )
      .sort((a, b) => a.version - b.version);
  },

  stateAt(items: readonly OracleItem[], arn: string, atMs: number): OracleItem | undefined {
    const visible = items.filter((i) => i.arn === arn && i.eventTime <= atMs);
    return visible.sort((a, b) => b.version - a.version)[0];
  },

  timeline(
    items: readonly OracleItem[],
    clusterArn: string,
    sinceMs: number,
    untilMs: number,
    detailTypes?: readonly string[],
    status?: string,
  ): OracleItem[] {
    return items
      .filter(
        (i) =>
          i.clusterArn === clusterArn &&
          within(i.eventTime, sinceMs, untilMs) &&
          (!detailTypes || detailTypes.includes(i.detailType)) &&
          (status === undefined || i.lastStatus === status || i.status === status || i.eventName === status),
      )
      .sort(byTime);
  },

  stopped(items: readonly OracleItem[], clusterArn: string, sinceMs: number, untilMs: number, examples = 3) {
    const counted = new Map<string, OracleItem>();
    for (const i of items) {
      if (i.detailType !== 'ECS Task State Change' || i.clusterArn !== clusterArn) continue;
      if (!within(i.eventTime, sinceMs, untilMs) || i.detail.lastStatus !== 'STOPPED') continue;
      const seen = counted.get(i.arn);
      if (!seen || seen.version < i.version) counted.set(i.arn, i);
    }
    const groups = new Map<
      string,
      { stopCode: unknown; stoppedReason: unknown; exitCode: unknown; members: OracleItem[] }
    >();
    for (const i of counted.values()) {
      const codes = ((i.detail.containers ?? []) as { exitCode?: unknown }[])
        .map((c) => c.exitCode)
        .filter((c): c is number => typeof c === 'number');
      const k = {
        stopCode: i.detail.stopCode ?? null,
        stoppedReason: i.detail.stoppedReason ?? null,
        exitCode: codes.find((c) => c !== 0) ?? codes[0] ?? null,
      };
      const id = JSON.stringify(k);
      const g = groups.get(id) ?? { ...k, members: [] };
      g.members.push(i);
      groups.set(id, g);
    }
    const cmp = (a: unknown, b: unknown) =>
      a === b ? 0 : a === null ? -1 : b === null ? 1 : (a as never) < (b as never) ? -1 : 1;
    return [...groups.values()]
      .map(({ members, ...k }) => ({
        ...k,
        count: members.length,
        examples: members
          .sort(byTime)
          .slice(0, examples)
          .map((m) => m.arn),
      }))
      .sort(
        (a, b) =>
          b.count - a.count ||
          cmp(a.stopCode, b.stopCode) ||
          cmp(a.stoppedReason, b.stoppedReason) ||
          cmp(a.exitCode, b.exitCode),
      );
  },

  /** The latest-state rows of a cluster: highest version per resource. */
  latest(items: readonly OracleItem[], detailType: string, clusterArn: string, status?: string): OracleItem[] {
    const latest = new Map<string, OracleItem>();
    for (const i of items) {
      if (i.detailType !== detailType || i.clusterArn !== clusterArn) continue;
      const seen = latest.get(i.arn);
      if (!seen || seen.version < i.version) latest.set(i.arn, i);
    }
    const statusField = detailType === 'ECS Task State Change' ? 'lastStatus' : 'status';
    return [...latest.values()].filter((i) => status === undefined || i.detail[statusField] === status);
  },
};
