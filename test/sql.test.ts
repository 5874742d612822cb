import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_DETAIL_TYPE } from '../domain/apiCalls/actions.js';
import { principalOf } from '../domain/apiCalls/principal.js';
import { archiveRowOf } from '../domain/archive/row.js';
import { ARCHIVE_COLUMNS } from '../domain/archive/schema.js';
import { decodeEvent, encodeEvent } from '../domain/eventCodec.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { LATENCY_INTERVALS } from '../domain/lifecycle/latency.js';
import { ArchiveDb, openDuckDb } from '../infra/duckdb.js';
import type { Pipeline } from '../local/localStack.js';
import { DAY_MS, HOUR_MS } from '../sim/clock.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { seededRandom } from '../sim/random.js';
import { loadSamples } from '../sim/samples.js';
import { generateServiceWorkload } from '../sim/serviceWorkload.js';
import { generateTour } from '../sim/tour.js';
import { exportLog } from '../usecases/export.js';
import { inParallel } from '../usecases/inParallel.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { jsonItems, runCli } from './support/runCli.js';

// The archive on the real engines: a log on DynamoDB Local, exported to Parquet, queried by the
// embedded DuckDB; every shipped query compared with the CLI's own answers on the same log.

const PROD = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
const CALLS_DIR = 'test/fixtures/cloudtrail';
const now = Date.now();

let pipeline: Pipeline;
let dir: string;
let db: ArchiveDb;
let logItems: Record<string, unknown>[];
/** The API calls put in the log, one item per call (under the cluster they name). */
let calls: { principal: string; action: string; error: boolean }[];

/** The CloudTrail fixtures dated relative to now: every ISO time moved by the same amount. */
function shiftedCall(file: string): Record<string, unknown> {
  const text = readFileSync(join(CALLS_DIR, file), 'utf8');
  const shift = now - 2 * HOUR_MS - Date.parse('2026-01-01T00:00:00Z');
  return JSON.parse(
    text.replace(/"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)"/g, (_, t: string) =>
      JSON.stringify(new Date(Date.parse(t) + shift).toISOString()),
    ),
  );
}

beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  const rng = seededRandom(24);
  const events: unknown[] = [
    ...generateTour(now),
    ...generateWorkload(rng, { tasks: 60, instances: 4, clusters: 2, account: '444455556666' }),
    ...generateServiceWorkload(rng, { clusters: 1, account: '444455556666' }),
    ...loadSamples().values(),
  ];
  await inParallel(events, 8, (e) => pipeline.ingest(e as EcsEvent));
  // API calls (kind apiCall) and a tamper marker, put as their writers put them.
  calls = [];
  let version = 1;
  for (const file of readdirSync(CALLS_DIR).filter((f) => f.endsWith('.json'))) {
    const call = shiftedCall(file) as { time: string; detail: Record<string, unknown> };
    calls.push({
      principal: principalOf(call.detail.userIdentity).name,
      action: call.detail.eventName as string,
      error: typeof call.detail.errorCode === 'string',
    });
    await pipeline.doc.send(
      new PutCommand({
        TableName: pipeline.tables.eventLog,
        Item: {
          arn: `${PROD}#call`,
          version: version++,
          detailType: CALL_DETAIL_TYPE,
          eventTime: Date.parse(call.time),
          ingestedAt: now,
          ingestId: `call-${version}`,
          event: encodeEvent(JSON.stringify(call)).value,
        },
      }),
    );
  }
  await pipeline.doc.send(
    new PutCommand({
      TableName: pipeline.tables.eventLog,
      Item: {
        arn: `${PROD.replace('cluster/', 'task/')}/x#tampered`,
        version: 1,
        detailType: 'Log Tampered',
        eventTime: now,
      },
    }),
  );
  logItems = await scanAll(pipeline.doc, pipeline.tables.eventLog);
  dir = mkdtempSync(join(tmpdir(), 'ecs-archive-'));
  const report = await exportLog({ doc: pipeline.doc, eventLog: pipeline.tables.eventLog, out: dir, segments: 3 });
  expect(report).toMatchObject({ complete: true, scanned: logItems.length, rows: logItems.length - 1, markers: 1 });
  db = await ArchiveDb.open(dir);
}, 120_000);

afterAll(() => {
  db?.close();
  pipeline?.client.destroy();
});

const sql = async (text: string) => (await db.query(text)).rows;
const iso = (ms: unknown) =>
  typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').slice(0, 23) : null;

describe('export --out DIR', () => {
  it('round-trips every log item: one row each, every column equal to the row of the item', async () => {
    const rows = await sql('SELECT * FROM ecs_events_raw');
    const expected = logItems.flatMap((item) => {
      const o = archiveRowOf(item);
      return o.type === 'row' ? [o.row] : [];
    });
    expect(rows).toHaveLength(expected.length);
    const byKey = new Map(rows.map((r) => [`${r.arn} ${r.version}`, r]));
    for (const want of expected) {
      const got = byKey.get(`${want.arn} ${want.version}`) as Record<string, unknown>;
      for (const c of ARCHIVE_COLUMNS) {
        const value = want[c.name];
        const expectedValue = c.type === 'timestamp' ? iso(value) : value;
        expect(got[c.name], `${want.arn} ${want.version} ${c.name}`).toEqual(expectedValue);
      }
      expect(got.day).toBe(want.day);
    }
    // The raw event is the log's text, byte for byte.
    const one = logItems.find((i) => archiveRowOf(i).type === 'row') as Record<string, unknown>;
    expect(byKey.get(`${one.arn} ${one.version}`)?.event).toBe(decodeEvent(one.event));
  });

  it('writes hive day= partitions of SNAPPY Parquet, sorted by account and region', async () => {
    const days = readdirSync(dir).filter((d) => d.startsWith('day='));
    expect(days.length).toBeGreaterThan(1);
    const meta = await sql(`SELECT DISTINCT compression FROM parquet_metadata('${join(dir, 'day=*', '*.parquet')}')`);
    expect(meta).toEqual([{ compression: 'SNAPPY' }]);
    const ordered = await sql(
      `SELECT count(*) AS n FROM (
         SELECT account, region,
           lag(account) OVER (PARTITION BY filename ORDER BY file_row_number) AS pa,
           lag(region) OVER (PARTITION BY filename ORDER BY file_row_number) AS pr
         FROM read_parquet('${join(dir, 'day=*', '*.parquet')}', filename = true, file_row_number = true))
       WHERE account < pa OR (account = pa AND region < pr)`,
    );
    expect(ordered).toEqual([{ n: 0 }]);
  });

  it('resumes an interrupted export from its checkpoint: the same rows, none twice', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ecs-archive-resume-'));
    const stop = new AbortController();
    const first = await exportLog({
      doc: pipeline.doc,
      eventLog: pipeline.tables.eventLog,
      out,
      segments: 2,
      pageSize: 40,
      signal: stop.signal,
      onProgress: () => stop.abort(),
    });
    expect(first).toMatchObject({ interrupted: true, complete: false });
    expect(first.scanned).toBeLessThan(logItems.length);
    const second = await exportLog({ doc: pipeline.doc, eventLog: pipeline.tables.eventLog, out, resume: true });
    expect(second).toMatchObject({
      complete: true,
      resumed: true,
      scanned: logItems.length,
      rows: logItems.length - 1,
    });
    const resumed = await ArchiveDb.open(out);
    try {
      const [counts] = (
        await resumed.query('SELECT count(*) AS n, count(DISTINCT (arn, version)) AS keys FROM ecs_events_raw')
      ).rows;
      expect(counts).toEqual({ n: logItems.length - 1, keys: logItems.length - 1 });
    } finally {
      resumed.close();
    }
  });
});

describe('the view and the engine', () => {
  it('ecs_events keeps one row per (arn, version) when files overlap (Firehose delivers at least once)', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'ecs-archive-dup-'));
    await exportLog({ doc: pipeline.doc, eventLog: pipeline.tables.eventLog, out: copy, segments: 1 });
    // A second export into the same directory under another name: every item twice.
    const again = await exportLog({
      doc: pipeline.doc,
      eventLog: pipeline.tables.eventLog,
      out: mkdtempSync(join(tmpdir(), 'ecs-archive-dup2-')),
      segments: 1,
    });
    const dup = await openDuckDb();
    try {
      for (const f of again.files) {
        await dup.connection.run(
          `COPY (SELECT * FROM read_parquet('${join(again.out, f.path)}')) TO '${join(copy, f.path.replace('export-', 'live-dup-'))}' (FORMAT parquet)`,
        );
      }
    } finally {
      dup.close();
    }
    const both = await ArchiveDb.open(copy);
    try {
      const [raw] = (await both.query('SELECT count(*) AS n FROM ecs_events_raw')).rows;
      const [view] = (await both.query('SELECT count(*) AS n FROM ecs_events')).rows;
      expect(raw).toEqual({ n: 2 * (logItems.length - 1) });
      expect(view).toEqual({ n: logItems.length - 1 });
    } finally {
      both.close();
    }
  });

  it('runs with extension autoloading and autoinstalling off: Parquet and JSON are built in', async () => {
    const rows = await sql(
      `SELECT current_setting('autoinstall_known_extensions') AS install, current_setting('autoload_known_extensions') AS load`,
    );
    expect(rows).toEqual([{ install: false, load: false }]);
    const used = await sql(
      `SELECT extension_name, install_mode FROM duckdb_extensions() WHERE extension_name IN ('parquet', 'json') ORDER BY 1`,
    );
    expect(used).toEqual([
      { extension_name: 'json', install_mode: 'STATICALLY_LINKED' },
      { extension_name: 'parquet', install_mode: 'STATICALLY_LINKED' },
    ]);
  });
});

describe('the named queries give the CLI’s own numbers', () => {
  it('stop_reasons = `stopped`', async () => {
    const cli = jsonItems<{
      count: number;
      stopCode: string | null;
      exitCode: number | null;
      stoppedReason: string | null;
    }>(await runCli(['stopped', '--cluster', PROD, '--since', '2d', '--json'], pipeline.tables));
    const rows = await sql(`SELECT stop_code, exit_code, stopped_reason, sum(tasks) AS tasks FROM stop_reasons
      WHERE cluster = '${PROD}' GROUP BY ALL`);
    const key = (c: unknown, e: unknown, r: unknown) => JSON.stringify([c, e, r]);
    expect(new Map(rows.map((r) => [key(r.stop_code, r.exit_code, r.stopped_reason), r.tasks]))).toEqual(
      new Map(cli.map((g) => [key(g.stopCode, g.exitCode, g.stoppedReason), g.count])),
    );
    expect(cli.length).toBeGreaterThan(2);
  });

  it('startup_latency = `stats`, week by week (nearest-rank percentiles)', async () => {
    const rows = await sql(`SELECT * FROM startup_latency WHERE cluster = '${PROD}'`);
    const weeks = [...new Set(rows.map((r) => r.week as string))];
    expect(weeks.length).toBeGreaterThan(0);
    const fromSql = new Map(
      rows.map((r) => [
        `${r.week} ${r.service} ${r.task_definition} ${r.latency_interval}`,
        { count: r.n, p50: r.p50, p90: r.p90, p99: r.p99, max: r.max_ms },
      ]),
    );
    const fromCli = new Map<string, unknown>();
    for (const week of weeks) {
      const since = Date.parse(`${week.replace(' ', 'T')}Z`);
      const items = jsonItems<Record<string, unknown>>(
        await runCli(
          [
            'stats',
            '--cluster',
            PROD,
            '--since',
            new Date(since).toISOString(),
            '--until',
            new Date(since + 7 * DAY_MS).toISOString(),
            '--json',
          ],
          pipeline.tables,
        ),
      );
      for (const item of items)
        for (const i of LATENCY_INTERVALS) {
          const s = item[i.name] as { count: number };
          if (s.count > 0) fromCli.set(`${week} ${item.service} ${item.taskDefinition} ${i.name}`, s);
        }
    }
    expect(fromSql).toEqual(fromCli);
  });

  it('deployments = `deployments` (runs, outcomes, durations)', async () => {
    const rows = await sql(`SELECT * FROM deployments`);
    const services = [...new Set(rows.map((r) => r.service_arn as string))].filter((s) => s.includes(':service/'));
    expect(services.length).toBeGreaterThan(1);
    const fromSql = rows
      .filter((r) => services.includes(r.service_arn as string))
      .map((r) => ({
        service: r.service_arn,
        id: r.deployment_id,
        start: r.start_time,
        outcome: r.outcome,
        ms: r.duration_ms,
      }));
    const fromCli: unknown[] = [];
    for (const service of services) {
      const items = jsonItems<Record<string, unknown>>(
        await runCli(['deployments', '--service', service, '--json'], pipeline.tables),
      );
      for (const d of items)
        fromCli.push({
          service,
          id: d.deploymentId,
          start: (d.startTime as string).replace('T', ' ').replace('Z', ''),
          outcome: d.outcome,
          ms: d.durationMs ?? null,
        });
    }
    const order = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
    expect(order(fromSql)).toEqual(order(fromCli));
    expect(fromSql.some((d) => d.outcome === 'rolled back')).toBe(true);
  });

  it('api_calls_by_principal counts the calls of each principal and action, and the failed ones', async () => {
    const rows = await sql(`SELECT principal, action, calls, failed FROM api_calls_by_principal`);
    // Every call in the log (the fixtures put here and the tour's own), once per event id.
    const seen = new Map<string, { principal: string; action: string; error: boolean }>();
    for (const item of logItems.filter((i) => i.detailType === CALL_DETAIL_TYPE)) {
      const e = JSON.parse(decodeEvent(item.event)) as { id: string; detail: Record<string, unknown> };
      seen.set(e.id, {
        principal: principalOf(e.detail.userIdentity).name,
        action: e.detail.eventName as string,
        error: typeof e.detail.errorCode === 'string',
      });
    }
    expect(seen.size).toBeGreaterThanOrEqual(calls.length);
    const expected = new Map<string, { calls: number; failed: number }>();
    for (const c of seen.values()) {
      const k = `${c.principal} ${c.action}`;
      const e = expected.get(k) ?? { calls: 0, failed: 0 };
      e.calls++;
      if (c.error) e.failed++;
      expected.set(k, e);
    }
    expect(new Map(rows.map((r) => [`${r.principal} ${r.action}`, { calls: r.calls, failed: r.failed }]))).toEqual(
      expected,
    );
  });

  it('the other named queries run and answer from the same rows', async () => {
    const spot = await sql(`SELECT sum(tasks) AS n FROM spot_interruptions WHERE cluster = '${PROD}'`);
    const [direct] = await sql(
      `SELECT count(DISTINCT resource) AS n FROM ecs_events WHERE cluster = '${PROD}' AND stop_code = 'SpotInterruption' AND last_status = 'STOPPED'`,
    );
    expect(spot).toEqual([direct]);
    expect((direct as { n: number }).n).toBeGreaterThan(0);
    const pulls = await sql(`SELECT sum(tasks) AS n FROM image_pull_failures WHERE cluster = '${PROD}'`);
    expect((pulls[0] as { n: number }).n).toBeGreaterThan(0);
    expect(await sql('SELECT count(*) AS n FROM long_running_tasks')).toHaveLength(1);
  });
});

describe('ecs-events sql', () => {
  it('prints a named query by name as JSON', async () => {
    const r = await runCli(['sql', '--dir', dir, '--json', 'spot_interruptions'], pipeline.tables);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { columns: string[]; count: number };
    expect(doc.columns).toEqual(['day', 'cluster', 'capacity_provider', 'tasks', 'example']);
    expect(doc.count).toBeGreaterThan(0);
  });

  it('gives the engine’s error with its position and exit code 2 for bad SQL', async () => {
    const r = await runCli(['sql', '--dir', dir, 'SELECT arn FRM ecs_events'], pipeline.tables);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Parser Error');
    expect(r.stderr).toContain('LINE 1: SELECT arn FRM ecs_events');
    expect(r.stderr).toMatch(/\^/);
  });

  it('says how to make an export when the directory has none (exit code 2)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ecs-archive-empty-'));
    const r = await runCli(['sql', '--dir', empty, 'SELECT 1'], pipeline.tables);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ecs-events export --out ${empty}`);
  });

  it('ndjson: one row per line', async () => {
    const r = await runCli(
      ['sql', '--dir', dir, '--ndjson', 'SELECT kind, count(*) AS n FROM ecs_events GROUP BY kind ORDER BY kind'],
      pipeline.tables,
    );
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; n: number });
    expect(lines.map((l) => l.kind)).toContain('apiCall');
    expect(lines.reduce((s, l) => s + l.n, 0)).toBe(logItems.length - 1);
  });
});
