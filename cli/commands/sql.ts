import { AthenaClient } from '@aws-sdk/client-athena';
import coldStore from '../../deploy/coldStore.cjs';
import { runOnAthena } from '../../infra/athena.js';
import { ArchiveDb, namedQueries, type QueryResult } from '../../infra/duckdb.js';
import { type Command, UsageError } from '../command.js';
import { formatTable } from '../output.js';
import { DEFAULT_STAGE, stageNames } from '../stageNames.js';

/** Where `sql` reads when --dir is not given: where `ecs-events local` keeps the archive current. */
export const DEFAULT_ARCHIVE_DIR = '.ecs-events/archive';

const cell = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** The result as a table (aligned on a terminal, tab-separated otherwise), or JSON, or NDJSON. */
export function formatResult(result: QueryResult, format: 'table' | 'json' | 'ndjson', aligned: boolean): string {
  if (format === 'json')
    return `${JSON.stringify({ columns: result.columns, items: result.rows, count: result.rows.length }, null, 2)}\n`;
  if (format === 'ndjson') return result.rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  const rows = result.rows.map((r) => result.columns.map((c) => cell(r[c])));
  if (aligned) return formatTable(result.columns, rows);
  return [result.columns, ...rows].map((r) => `${r.join('\t')}\n`).join('');
}

const command: Command = {
  summary: 'run SQL over the exported history (embedded DuckDB over Parquet; the named queries in sql/)',
  positionals: ['"<SQL>"'],
  uses: [],
  about: `Runs one SQL statement on an embedded DuckDB over an export directory (\`ecs-events export
--out DIR\`, or the one \`ecs-events local\` keeps current). Tables: ecs_events (one row per log
item: use it), ecs_events_raw (the files as written, duplicates included), and each named query of
sql/ as a view by its name (startup_latency, stop_reasons, deployments, image_pull_failures,
long_running_tasks, spot_interruptions, api_calls_by_principal); a name alone runs that query.
With --athena the same text runs on Athena in the stage's workgroup (bytes scanned and cost on
stderr). Queries are written in Athena's (Trino) dialect: DuckDB gets macros for the Trino functions they
use (docs/sql.md). Extensions are never downloaded: Parquet and JSON are built in.`,
  options: {
    dir: { type: 'string', value: 'DIR', default: DEFAULT_ARCHIVE_DIR, help: 'the export directory' },
    json: { type: 'boolean', help: 'one JSON document: {"columns":[...],"items":[...],"count":N}' },
    ndjson: { type: 'boolean', help: 'one JSON row per line' },
    athena: {
      type: 'boolean',
      help: "run it on Athena instead: the stage's workgroup and Glue database (deploy parameter coldStore=on)",
    },
    stage: { type: 'string', value: 'S', default: DEFAULT_STAGE, help: 'the deployed stage --athena queries' },
  },
  notes: [
    '',
    'Exit code 0, or 2 for SQL the engine refuses (its message and position) or a directory without an export.',
  ],
  async run({ values, positionals }) {
    const sql = positionals[0];
    if (sql === undefined || sql.trim() === '')
      throw new UsageError('sql needs a statement: ecs-events sql "SELECT …"');
    if (values.json && values.ndjson) throw new UsageError('--json and --ndjson exclude each other');
    const format = values.json ? 'json' : values.ndjson ? 'ndjson' : 'table';
    if (values.athena) {
      // The names the stage deployed (deploy/coldStore.cjs), and a named query's own text by its name.
      const names = stageNames({ stage: typeof values.stage === 'string' ? values.stage : DEFAULT_STAGE });
      const cs = coldStore.coldStoreSettings({ coldStore: 'on' }, names).coldStore as {
        workgroup: string;
        database: string;
      };
      const text = namedQueries().find((q) => q.name === sql.trim())?.sql ?? sql;
      const client = new AthenaClient({});
      try {
        const run = await runOnAthena(client, { sql: text, workgroup: cs.workgroup, database: cs.database });
        process.stdout.write(formatResult(run, format, process.stdout.isTTY === true));
        process.stderr.write(
          `Athena ${run.queryExecutionId}: ${run.bytesScanned} bytes scanned, ${run.billedBytes} billed (at least 10 MB a query), $${run.costUsd.toFixed(6)}\n`,
        );
        return 0;
      } finally {
        client.destroy();
      }
    }
    const dir = typeof values.dir === 'string' ? values.dir : DEFAULT_ARCHIVE_DIR;
    const db = await ArchiveDb.open(dir);
    try {
      const result = await db.query(sql);
      process.stdout.write(formatResult(result, format, process.stdout.isTTY === true));
      return 0;
    } finally {
      db.close();
    }
  },
};

export default command;
