// Figure 7 in the report: what DynamoDB bills, per path and per duplication profile, against the AWS
// guide's function, the floor of a full history, and the pinned results of the commit before (--baseline).
import type { CostProfile, QueryReads, SampleAppend, TableStorage } from './cost.js';
import type { Baseline, BenchResults, SizeResults, TargetCheck } from './report.js';
import { round } from './support/measure.js';
import { PRICES, unitDollars } from './support/pricing.js';
import type { RequestCounts } from './support/requestCounter.js';

const sum = (r: Record<string, number> | undefined): number => Object.values(r ?? {}).reduce((a, b) => a + b, 0);
const fmt = (n: number, digits = 3): string =>
  Number.isFinite(n) ? round(n, digits).toLocaleString('en-US', { maximumFractionDigits: 4 }) : '—';
const usd = (n: number): string => (Number.isFinite(n) ? `$${round(n, 3).toFixed(n < 10 ? 3 : 2)}` : '—');
const pct = (n: number): string => (Number.isFinite(n) ? `${round(n * 100, 3)} %` : '—');
const times = (n: number): string => (Number.isFinite(n) ? `${round(n, 3)}×` : '—');
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;

/** Write units on tables, on indexes, of refused conditional writes, and read units, of one client's requests. */
export interface Units {
  readonly table: number;
  readonly index: number;
  readonly refused: number;
  readonly read: number;
}

export function unitsOf(c: RequestCounts | undefined): Units {
  const write = c?.capacity?.write ?? {};
  const on = (index: boolean) =>
    Object.entries(write)
      .filter(([k]) => k.includes('.') === index)
      .reduce((n, [, v]) => n + v, 0);
  return { table: on(false), index: on(true), refused: sum(c?.capacity?.refused), read: sum(c?.capacity?.read) };
}

const plus = (a: Units, b: Units): Units => ({
  table: a.table + b.table,
  index: a.index + b.index,
  refused: a.refused + b.refused,
  read: a.read + b.read,
});
const per = (u: Units, n: number): Units => ({
  table: u.table / n,
  index: u.index / n,
  refused: u.refused / n,
  read: u.read / n,
});
const writesOf = (u: Units): number => u.table + u.index + u.refused;
/** Dollars per million distinct events for units per distinct event. */
export const perMillion = (u: Units): number => unitDollars(writesOf(u), u.read) * 1e6;

/**
 * The floor of a full history at one request per delivery and no reads: per distinct event one log
 * append and one timeline-index entry, one unit per redelivery (a refused conditional put is billed,
 * at least one unit), and per resource (task or instance) at least its row and its cluster-index
 * entry, each at least one unit.
 */
export const floorUnits = (p: CostProfile): Units => ({
  table: 1 + p.resources / p.distinctEvents,
  index: 1 + p.resources / p.distinctEvents,
  refused: (p.deliveries - p.distinctEvents) / p.distinctEvents,
  read: 0,
});

export interface ProfileBill {
  readonly profile: CostProfile;
  readonly ingest: Units;
  readonly projector: Units;
  readonly pipeline: Units;
  readonly guide: Units;
  readonly floor: Units;
  /** Pipeline dollars over the guide's. */
  readonly ratio: number;
  readonly floorRatio: number;
}

export function billOf(p: CostProfile): ProfileBill {
  const n = p.distinctEvents;
  const ingest = per(unitsOf(p.ingest), n);
  const projector = per(unitsOf(p.projector), n);
  const pipeline = plus(ingest, projector);
  const guide = per(unitsOf(p.guide), n);
  const floor = floorUnits(p);
  return {
    profile: p,
    ingest,
    projector,
    pipeline,
    guide,
    floor,
    ratio: perMillion(pipeline) / perMillion(guide),
    floorRatio: perMillion(floor) / perMillion(guide),
  };
}

/** Bytes stored per distinct event: the log table and its indexes (what grows for ever). */
export function logBytesPerEvent(p: CostProfile): { table: number; indexes: number; total: number } {
  const log = p.storage.ECSEventLog;
  const indexes = sum(Object.fromEntries(Object.entries(log?.indexes ?? {}).map(([k, v]) => [k, v.bytes])));
  const table = (log?.bytes ?? 0) / p.distinctEvents;
  return { table, indexes: indexes / p.distinctEvents, total: table + indexes / p.distinctEvents };
}

/** Bytes of a latest-state table and its indexes per row. */
const rowBytes = (t: TableStorage | undefined) => {
  if (!t || t.items === 0) return { table: 0, indexes: 0 };
  return {
    table: t.bytes / t.items,
    indexes: sum(Object.fromEntries(Object.entries(t.indexes).map(([k, v]) => [k, v.bytes]))) / t.items,
  };
};

const mainSize = (r: BenchResults): SizeResults => r.sizes.at(-1) as SizeResults;
const profileOf = (r: BenchResults | undefined, name: CostProfile['name']) =>
  r ? mainSize(r).cost?.profiles.find((p) => p.name === name) : undefined;

/** Share of the successful single-item writes (table or index) that took at most `max` units. */
function shareAtMost(histogram: Record<string, number> | undefined, max: number): number {
  const entries = Object.entries(histogram ?? {});
  const all = entries.reduce((n, [, c]) => n + c, 0);
  return entries.filter(([u]) => Number(u) <= max).reduce((n, [, c]) => n + c, 0) / all;
}

const logged = (samples: readonly SampleAppend[]) => samples.filter((s) => s.rejected === undefined);

export function costTargets(r: BenchResults, baseline?: Baseline): TargetCheck[] {
  const cost = mainSize(r).cost;
  if (!cost) return [];
  const copies = cost.profiles.find((p) => p.name === 'copies');
  const realistic = cost.profiles.find((p) => p.name === 'redelivered');
  if (!copies || !realistic) return [];
  const appends = copies.ingest.capacity.unitsPerWrite.ECSEventLog;
  const timeline = copies.ingest.capacity.unitsPerWrite['ECSEventLog.byClusterTime'];
  const simShare = shareAtMost(appends, 1);
  const samples = logged(cost.samples);
  const sampleShare = samples.filter((s) => s.tableUnits <= 1).length / samples.length;
  const timelineMax = Math.max(...Object.keys(timeline ?? {}).map(Number));
  const [a, b] = [billOf(copies), billOf(realistic)];
  const checks: TargetCheck[] = [
    {
      target: 'log append ≤ 1 write unit for ≥ 90 % of the simulated estate’s distinct events',
      value: pct(simShare),
      met: simShare >= 0.9,
    },
    {
      target: 'log append ≤ 1 write unit for ≥ 90 % of the AWS samples',
      value: `${pct(sampleShare)} (${samples.filter((s) => s.tableUnits <= 1).length} of ${samples.length})`,
      met: sampleShare >= 0.9,
    },
    { target: 'timeline index ≤ 1 write unit per event', value: `${fmt(timelineMax)} at most`, met: timelineMax <= 1 },
    {
      target: 'whole pipeline ≤ 4× the AWS guide’s bill, 1–3 copies',
      value: `${times(a.ratio)} (${usd(perMillion(a.pipeline))} vs ${usd(perMillion(a.guide))} per million events; floor ${times(a.floorRatio)})`,
      met: a.ratio <= 4,
    },
    ...cost.profiles
      .filter((p) => p.name === 'copiesLive')
      .map((p) => {
        const c = billOf(p);
        return {
          target: 'whole pipeline ÷ the AWS guide’s bill, 1–3 copies in live order',
          value: `${times(c.ratio)} (${usd(perMillion(c.pipeline))} vs ${usd(perMillion(c.guide))}; floor ${times(c.floorRatio)})`,
          met: null,
        };
      }),
    {
      target: 'whole pipeline ≤ 3.5× the AWS guide’s bill, ≈ 2 % redelivered',
      value: `${times(b.ratio)} (${usd(perMillion(b.pipeline))} vs ${usd(perMillion(b.guide))}; floor ${times(b.floorRatio)})`,
      met: b.ratio <= 3.5,
    },
  ];
  const before = profileOf(baseline?.results, 'copies');
  if (before && baseline) {
    const bytes = logBytesPerEvent(copies).total / logBytesPerEvent(before).total;
    checks.push({
      target: 'bytes stored per distinct event (log table + index) ≤ 35 % of the baseline',
      value: `${pct(bytes)} (${fmt(logBytesPerEvent(copies).total)} vs ${fmt(logBytesPerEvent(before).total)} bytes)`,
      met: bytes <= 0.35,
    });
    const was = mainSize(baseline.results);
    const now = mainSize(r);
    const regression = (label: string, after: number, prior: number, higherIsWorse = true) => {
      const change = after / prior - 1;
      checks.push({
        target: `no regression > 10 %: ${label}`,
        value: `${fmt(after)} vs ${fmt(prior)} (${change >= 0 ? '+' : ''}${pct(change)})`,
        met: higherIsWorse ? change <= 0.1 : change >= -0.1,
      });
    };
    regression(
      'whole pipeline, requests per delivery',
      now.pipeline.requestsPerDelivery,
      was.pipeline.requestsPerDelivery,
    );
    regression('lag p99 at a steady rate (ms)', r.lag.lag.p99Ms, baseline.results.lag.lag.p99Ms);
    regression('rebuild seconds', now.rebuild.rebuild.seconds, was.rebuild.rebuild.seconds);
  }
  return checks;
}

function billRows(bill: ProfileBill, before: ProfileBill | undefined): string[] {
  const line = (path: string, u: Units, prior?: Units) =>
    row([
      path,
      fmt(u.table),
      fmt(u.index),
      fmt(u.refused),
      fmt(u.read),
      usd(perMillion(u)),
      prior ? usd(perMillion(prior)) : '',
    ]);
  return [
    line('ingest (log append + timeline index)', bill.ingest, before?.ingest),
    line('projector (row + its cluster index)', bill.projector, before?.projector),
    line('**whole pipeline**', bill.pipeline, before?.pipeline),
    line('AWS guide’s function (get → put, no history)', bill.guide, before?.guide),
    line(
      'floor of a full history (per event: append + timeline entry; per redelivery: 1; per resource: row + index entry)',
      bill.floor,
    ),
    row([
      '**pipeline ÷ guide** (floor ÷ guide)',
      '',
      '',
      '',
      '',
      `**${times(bill.ratio)}** (${times(bill.floorRatio)})`,
      before ? times(before.ratio) : '',
    ]),
  ];
}

const queryLine = (q: QueryReads, prior?: QueryReads) =>
  row([
    q.query,
    fmt(q.queries),
    fmt(q.items),
    fmt(q.readUnits / q.queries),
    fmt(q.readUnits / Math.max(1, q.items), 3),
    fmt(q.requests / q.queries),
    prior ? fmt(prior.readUnits / prior.queries) : '',
  ]);

/** The markdown of figure 7, printed after the main table. */
export function renderCost(r: BenchResults, baseline?: Baseline): string {
  const size = mainSize(r);
  const cost = size.cost;
  if (!cost) return '';
  const lines: string[] = [
    '',
    `7 · what DynamoDB bills: capacity units per distinct event (ReturnConsumedCapacity INDEXES on every call; refused conditional writes at the stored item's size, ≥ 1 unit), ` +
      `${PRICES.region} on-demand $${PRICES.writeUnit * 1e6} per million write units, $${PRICES.readUnit * 1e6} per million read units (${PRICES.asOf}, ${PRICES.source})` +
      (baseline ? `; "before": ${baseline.results.command} of ${baseline.results.date} (${baseline.file})` : ''),
    '',
  ];
  for (const p of cost.profiles) {
    const bill = billOf(p);
    const prior = profileOf(baseline?.results, p.name);
    lines.push(
      `${p.label}: ${fmt(p.deliveries)} deliveries of ${fmt(p.distinctEvents)} distinct events, 16 in flight`,
      '',
      row(['path', 'write units, tables', 'indexes', 'refused writes', 'read units', '$ per million events', 'before']),
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
      ...billRows(bill, prior ? billOf(prior) : undefined),
      '',
    );
  }
  const rb = size.rebuild;
  const rbUnits = unitsOf(rb.rebuild.requests);
  lines.push(
    `rebuild: ${fmt(rbUnits.read / rb.logItems)} read units per log item scanned, ${fmt(writesOf(rbUnits) / rb.distinctArns)} write units per ARN ` +
      `(${fmt(rbUnits.read)} read, ${fmt(writesOf(rbUnits))} write units for ${fmt(rb.logItems)} log items, ${fmt(rb.distinctArns)} ARNs; ` +
      `naive replay ${fmt(writesOf(unitsOf(rb.naive.requests)))} write units)`,
    '',
  );
  const copies = cost.profiles.find((p) => p.name === 'copies');
  const before = profileOf(baseline?.results, 'copies');
  if (copies) {
    const now = logBytesPerEvent(copies);
    const was = before ? logBytesPerEvent(before) : undefined;
    const state = (name: string, t: TableStorage | undefined, prior?: TableStorage) => {
      const b = rowBytes(t);
      const a = rowBytes(prior);
      return row([
        name,
        `${fmt(t?.items ?? 0)} rows`,
        fmt(b.table),
        fmt(b.indexes),
        fmt(b.table + b.indexes),
        prior ? fmt(a.table + a.indexes) : '',
      ]);
    };
    const month = (bytes: number, tableBytes: number) =>
      (bytes / 1e9) * PRICES.storageGbMonth + (tableBytes / 1e9) * PRICES.pitrGbMonth;
    lines.push(
      'bytes stored (item sizes + 100 bytes per item, table and each index), after the 1–3 copies run',
      '',
      row(['what', 'count', 'table', 'indexes', 'total', 'before']),
      row(['---', '---:', '---:', '---:', '---:', '---:']),
      row([
        'event log, per distinct event',
        `${fmt(copies.distinctEvents)} events`,
        fmt(now.table),
        fmt(now.indexes),
        `**${fmt(now.total)}**`,
        was ? `${fmt(was.total)} (now ${pct(now.total / was.total)})` : '',
      ]),
      state('task state, per row', copies.storage.ECSTaskState, before?.storage.ECSTaskState),
      state('instance state, per row', copies.storage.ECSCtrInstanceState, before?.storage.ECSCtrInstanceState),
      '',
      `storage of a million events' history: ${usd(month(now.total * 1e6, now.table * 1e6))} a month ($${PRICES.storageGbMonth}/GB-month + PITR $${PRICES.pitrGbMonth}/GB-month of the table)` +
        (was ? `, before ${usd(month(was.total * 1e6, was.table * 1e6))}` : ''),
      '',
      'read units per audit query (eventually consistent, as the CLI reads), after the 1–3 copies run',
      '',
      row(['query', 'queries', 'items returned', 'read units per query', 'per item', 'requests per query', 'before']),
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
      ...copies.queries.map((q) =>
        queryLine(
          q,
          before?.queries.find((b) => b.query === q.query),
        ),
      ),
      '',
    );
  }
  const priorSamples = new Map(
    (baseline ? (mainSize(baseline.results).cost?.samples ?? []) : []).map((s) => [s.sample, s]),
  );
  lines.push(
    'log append of every AWS sample event (samples/aws-docs), one at a time',
    '',
    row([
      'sample',
      'event JSON bytes',
      'log item bytes before',
      'log item bytes after',
      'write units (table + index)',
      'before',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
    ...cost.samples.map((s) => {
      const b = priorSamples.get(s.sample);
      return row([
        s.sample,
        fmt(s.eventBytes),
        b && b.rejected === undefined ? fmt(b.itemBytes) : '—',
        s.rejected === undefined ? fmt(s.itemBytes) : 'refused',
        s.rejected === undefined ? `${fmt(s.tableUnits)} + ${fmt(s.indexUnits)}` : '—',
        b && b.rejected === undefined ? `${fmt(b.tableUnits)} + ${fmt(b.indexUnits)}` : '—',
      ]);
    }),
    '',
  );
  return lines.join('\n');
}
