// `npm run bench -- sql-history [--events N]`: the cold store's targets (issue 24, docs/sql.md):
// export of N simulated events from a log filled by BatchWrite (load time excluded), Parquet bytes
// per event, p95 startup latency by service on DuckDB, and the share of the table a one-day query
// reads on a 30-day, multi-account workload (from the Parquet column chunk sizes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { archiveRowOf, stagedLine } from '../domain/archive/row.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { startupLatency } from '../domain/lifecycle/report.js';
import { createDocumentClient } from '../infra/client.js';
import { ArchiveDb } from '../infra/duckdb.js';
import { createTables } from '../infra/tableAdmin.js';
import { startDynamoLocal } from '../local/dynamoLocal.js';
import { DAY_MS } from '../sim/clock.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { seededRandom } from '../sim/random.js';
import { loadSamples } from '../sim/samples.js';
import { appendToLog } from '../test/support/rebuildFixtures.js';
import { exportLog } from '../usecases/export.js';
import { readLifecycleInput } from '../usecases/lifecycleData.js';

export async function sqlHistoryBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { events: { type: 'string', default: '100000' } } });
  const target = Number(values.events);
  const dynamo = await startDynamoLocal({});
  const settings = {
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const client = new DynamoDBClient(settings);
  const doc = createDocumentClient(settings);
  const out = mkdtempSync(join(tmpdir(), 'sql-bench-'));
  try {
    const tables = { eventLog: 'BenchLog', taskState: 'BenchTasks', instanceState: 'BenchInstances' };
    await createTables(client, tables);
    // 30 days, three accounts, two regions: a task makes about 5 events.
    const rng = seededRandom(24);
    const events: EcsEvent[] = [];
    const startMs = Date.now() - 31 * DAY_MS;
    for (const [account, region] of [
      ['111122223333', 'us-east-1'],
      ['444455556666', 'eu-west-1'],
      ['777788889999', 'us-east-1'],
    ] as const) {
      events.push(
        ...generateWorkload(rng, {
          tasks: Math.ceil(target / 15),
          instances: 12,
          clusters: 2,
          account,
          region,
          startMs,
          spanMs: 30 * DAY_MS,
        }),
      );
    }
    const loadStart = Date.now();
    await appendToLog(doc, tables.eventLog, events);
    process.stderr.write(`loaded ${events.length} events in ${((Date.now() - loadStart) / 1000).toFixed(0)} s\n`);
    const report = await exportLog({ doc, eventLog: tables.eventLog, out, segments: 4 });
    // The same rows without DynamoDB: what the scan's own work costs (decode, row, staged line).
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const sample = (await doc.send(new ScanCommand({ TableName: tables.eventLog, Limit: 5000 }))).Items ?? [];
    const r0 = performance.now();
    let bytes = 0;
    for (let round = 0; round < 4; round++)
      for (const item of sample) {
        const o = archiveRowOf(item);
        if (o.type === 'row') bytes += stagedLine(o.row).length;
      }
    const rowsPerSecond = Math.round((4 * sample.length) / ((performance.now() - r0) / 1000));
    void bytes;
    const db = await ArchiveDb.open(out);
    const t0 = performance.now();
    const p95 = await db.query(`WITH t AS (
        SELECT cluster, service, date_diff('millisecond', created_at, started_at) AS ms,
          row_number() OVER (PARTITION BY cluster, service ORDER BY date_diff('millisecond', created_at, started_at)) AS r,
          count(*) OVER (PARTITION BY cluster, service) AS n
        FROM (SELECT resource, max_by(cluster, version) AS cluster, max_by(service, version) AS service,
                max_by(created_at, version) FILTER (WHERE created_at IS NOT NULL) AS created_at,
                max_by(started_at, version) FILTER (WHERE started_at IS NOT NULL) AS started_at
              FROM ecs_events WHERE kind = 'task' GROUP BY resource)
        WHERE created_at IS NOT NULL AND started_at IS NOT NULL)
      SELECT cluster, service, min(CASE WHEN r >= ceil(95 * n / 100e0) THEN ms END) AS p95 FROM t GROUP BY ALL`);
    const p95Seconds = (performance.now() - t0) / 1000;
    // The same answer through the DynamoDB path: `stats` (its reader and its function) for each cluster.
    const clusters = (await db.query('SELECT DISTINCT cluster FROM ecs_events WHERE cluster IS NOT NULL')).rows.map(
      (r) => r.cluster as string,
    );
    const window = { sinceMs: startMs, untilMs: Date.now() };
    const s0 = performance.now();
    let statsRows = 0;
    for (const clusterArn of clusters) {
      const input = await readLifecycleInput(doc, tables, clusterArn, window, { tasksOnly: true });
      statsRows += startupLatency(input.tasks, { clusterArn, window }).length;
    }
    const statsSeconds = (performance.now() - s0) / 1000;
    // Bytes Athena would read: the compressed column chunks of the columns a query names, in the days it reads.
    const cols =
      "('kind','resource','version','cluster','service','created_at','started_at','arn','ingested_at','event_id')";
    const scan = (
      await db.query(`SELECT regexp_extract(file_name, 'day=([0-9-]+)', 1) AS day, sum(total_compressed_size) AS bytes
        FROM parquet_metadata('${join(out, 'day=*', '*.parquet')}') WHERE path_in_schema IN ${cols} GROUP BY 1 ORDER BY 1`)
    ).rows as { day: string; bytes: number }[];
    db.close();
    const all = scan.reduce((s, r) => s + r.bytes, 0);
    const oneDay = Math.max(...scan.map((r) => r.bytes));
    const samples = [...loadSamples().values()].length;
    const figures = {
      events: report.rows,
      exportSeconds: report.seconds,
      scanSeconds: report.scanSeconds,
      parquetBytes: report.bytes,
      bytesPerEvent: Math.round((report.bytes / report.rows) * 10) / 10,
      files: report.files.length,
      days: report.days,
      p95Services: p95.rows.length,
      p95DuckDbSeconds: Math.round(p95Seconds * 1000) / 1000,
      statsDynamoDbSeconds: Math.round(statsSeconds * 1000) / 1000,
      statsRows,
      clusters: clusters.length,
      rowsPerSecondWithoutDynamoDb: rowsPerSecond,
      largestDayShareOfTable: Math.round((oneDay / all) * 10000) / 10000,
      awsSamples: samples,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return 0;
  } finally {
    client.destroy();
    await dynamo.stop();
    if (!process.env.SQL_BENCH_KEEP) rmSync(out, { recursive: true, force: true });
    else process.stderr.write(`kept ${out}\n`);
  }
}
