import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DuckDBConnection, DuckDBInstance, type DuckDBResultReader } from '@duckdb/node-api';
import { ARCHIVE_COLUMNS, duckdbType, PARTITION_COLUMN, RAW_TABLE, VIEW } from '../domain/archive/schema.js';
import { dedupViewSql } from '../domain/archive/views.js';
import { UsageError } from '../domain/errors.js';

// The embedded engine: DuckDB in this process over an export directory (hive `day=` partitions of
// Parquet). Parquet, JSON and ICU are built into @duckdb/node-api, so it runs with extension
// autoloading and autoinstalling off: nothing is ever downloaded (test/sql.test.ts checks).

/** The shipped named queries, one `.sql` file each, in Athena's (Trino) dialect. */
export const QUERIES_DIR = fileURLToPath(new URL('../sql/', import.meta.url));

/** Settings every connection gets: no extension is fetched or loaded from outside the binary. */
export const DUCKDB_OPTIONS = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
} as const;

/**
 * DuckDB macros for the Trino functions the shipped queries (and docs/sql.md) use, so that one SQL
 * text runs on both engines. Functions both engines have with the same meaning (max_by, min_by,
 * date_trunc, strpos, lower, concat, count(DISTINCT), FILTER, date_diff in milliseconds) need none.
 */
export const TRINO_MACROS: Readonly<Record<string, string>> = {
  approx_percentile: 'CREATE MACRO approx_percentile(x, p) AS approx_quantile(x, p)',
  from_iso8601_timestamp: 'CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
  json_extract_scalar: 'CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)',
  regexp_like: 'CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)',
  cardinality: 'CREATE MACRO cardinality(a) AS len(a)',
  to_unixtime: 'CREATE MACRO to_unixtime(t) AS epoch(t)',
  from_unixtime: 'CREATE MACRO from_unixtime(s) AS make_timestamp(CAST(s * 1000000 AS BIGINT))',
};

export interface NamedQuery {
  readonly name: string;
  readonly sql: string;
}

/** The named queries of a folder (default: sql/), by file name. */
export function namedQueries(dir = QUERIES_DIR): NamedQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({ name: f.slice(0, -'.sql'.length), sql: readFileSync(join(dir, f), 'utf8') }));
}

/** The SQL text without its trailing semicolon and blank lines (a view body or a subquery). */
const body = (sql: string): string => sql.trim().replace(/;\s*$/, '');

/** Whether a directory holds an export: at least one `day=…/*.parquet` file. */
export function hasExport(dir: string): boolean {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return false;
  return readdirSync(dir).some(
    (d) =>
      d.startsWith(`${PARTITION_COLUMN}=`) &&
      statSync(join(dir, d)).isDirectory() &&
      readdirSync(join(dir, d)).some((f) => f.endsWith('.parquet')),
  );
}

/** The hint a query over a directory without an export gives. */
export const noExportMessage = (dir: string): string =>
  `no export in ${dir}: no ${PARTITION_COLUMN}=YYYY-MM-DD/*.parquet files. Make one from the log with ` +
  `\`ecs-events export --out ${dir}\` (or run \`ecs-events local --archive ${dir}\` to keep one current)`;

/** A failed statement: the engine's own message, with its position (LINE n and the caret). */
export class SqlError extends UsageError {}

export interface QueryResult {
  readonly columns: string[];
  readonly types: string[];
  /** Rows as JSON values: integers as numbers (strings past 2^53), timestamps `YYYY-MM-DD HH:MM:SS.fff`. */
  readonly rows: Record<string, unknown>[];
}

const INTEGER_TYPES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
]);

function jsonValue(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' && (INTEGER_TYPES.has(type) || type.startsWith('DECIMAL'))) {
    const n = Number(v);
    return Number.isSafeInteger(n) || (type.startsWith('DECIMAL') && Number.isFinite(n)) ? n : v;
  }
  if (typeof v === 'string' && type.startsWith('TIMESTAMP')) {
    // DuckDB writes microseconds; Athena milliseconds: show what both can say.
    const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d{1,6}))?/.exec(v);
    return m ? `${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}` : v;
  }
  return v;
}

function toResult(reader: DuckDBResultReader): QueryResult {
  const columns = reader.columnNames();
  const types = reader.columnTypes().map(String);
  const rows = reader.getRowObjectsJson().map((r) => {
    const out: Record<string, unknown> = {};
    columns.forEach((c, i) => {
      out[c] = jsonValue(types[i] as string, r[c]);
    });
    return out;
  });
  return { columns, types, rows };
}

/** An in-memory DuckDB with the archive's settings and the Trino macros. */
export async function openDuckDb(): Promise<{ connection: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:', { ...DUCKDB_OPTIONS });
  const connection = await instance.connect();
  // Timestamps are UTC, as on Athena (a timestamp with time zone compares in the session's zone).
  await connection.run("SET TimeZone = 'UTC'");
  for (const macro of Object.values(TRINO_MACROS)) await connection.run(macro);
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** The raw table over an export directory: every Parquet file under `day=…/`, `day` a string. */
export function rawTableSql(dir: string): string {
  const glob = join(resolve(dir), `${PARTITION_COLUMN}=*`, '*.parquet');
  const columns = ARCHIVE_COLUMNS.map((c) => `CAST(${c.name} AS ${duckdbType(c.type)}) AS ${c.name}`).join(', ');
  return `SELECT ${columns}, ${PARTITION_COLUMN} FROM read_parquet(${quote(glob)}, hive_partitioning = true, hive_types = {'${PARTITION_COLUMN}': VARCHAR}, union_by_name = true)`;
}

/** DuckDB over an export directory: `ecs_events_raw`, the view `ecs_events`, and each named query as a view. */
export class ArchiveDb {
  private constructor(
    private readonly db: { connection: DuckDBConnection; close(): void },
    readonly queries: readonly NamedQuery[],
  ) {}

  static async open(dir: string, options: { queriesDir?: string } = {}): Promise<ArchiveDb> {
    if (!hasExport(dir)) throw new UsageError(noExportMessage(dir), { code: 'FILE_UNUSABLE' });
    const db = await openDuckDb();
    const queries = namedQueries(options.queriesDir);
    try {
      await db.connection.run(`CREATE VIEW ${RAW_TABLE} AS ${rawTableSql(dir)}`);
      await db.connection.run(`CREATE VIEW ${VIEW} AS ${dedupViewSql()}`);
      for (const q of queries) await db.connection.run(`CREATE VIEW ${q.name} AS ${body(q.sql)}`);
    } catch (e) {
      db.close();
      throw e;
    }
    return new ArchiveDb(db, queries);
  }

  /** Runs one statement (or a named query by its name); a statement DuckDB refuses is a SqlError. */
  async query(sql: string): Promise<QueryResult> {
    const named = this.queries.find((q) => q.name === sql.trim());
    try {
      return toResult(await this.db.connection.runAndReadAll(named ? body(named.sql) : sql));
    } catch (e) {
      throw new SqlError(`DuckDB: ${(e as Error).message}`, { cause: e });
    }
  }

  close(): void {
    this.db.close();
  }
}

// ---- Writing: staged NDJSON rows (domain/archive/row.ts) to Parquet files under day=…/ ----

/** Firehose's buffer (its minimum with record-format conversion): one file holds at most this much of staged rows. */
export const FIREHOSE_BUFFER_BYTES = 64 * 1024 * 1024;

/** The order rows are written in: account and region first (they are columns, not partitions). */
export const FILE_ORDER = 'account, region, cluster, resource, arn, version';

/** The `columns` argument of read_json: every column's type, timestamps read as epoch ms. */
function stagedColumns(): string {
  const cols = ARCHIVE_COLUMNS.map((c) => `${c.name}: '${c.type === 'timestamp' ? 'BIGINT' : duckdbType(c.type)}'`);
  return `{${[...cols, `${PARTITION_COLUMN}: 'VARCHAR'`, `record_bytes: 'BIGINT'`].join(', ')}}`;
}

const selectTyped = (): string =>
  ARCHIVE_COLUMNS.map((c) => (c.type === 'timestamp' ? `epoch_ms(${c.name}) AS ${c.name}` : c.name)).join(', ');

export interface WrittenFile {
  readonly day: string;
  /** Path relative to the output directory: `day=YYYY-MM-DD/<name>.parquet`. */
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

/**
 * Writes staged NDJSON rows as Parquet (SNAPPY) under `outDir/day=…/<prefix>-<n>.parquet`: one file
 * per Firehose buffer's worth of rows (record bytes) of each day, rows sorted by FILE_ORDER.
 * `workDir` holds DuckDB's spill files. Returns the files written.
 */
export async function writeArchiveFiles(options: {
  readonly staged: readonly string[];
  readonly outDir: string;
  readonly workDir: string;
  readonly filePrefix: string;
  readonly bufferBytes?: number;
}): Promise<WrittenFile[]> {
  const buffer = options.bufferBytes ?? FIREHOSE_BUFFER_BYTES;
  const db = await openDuckDb();
  const c = db.connection;
  try {
    await c.run(`SET temp_directory = ${quote(options.workDir)}`);
    await c.run('SET preserve_insertion_order = false');
    const files = options.staged.filter((f) => existsSync(f) && statSync(f).size > 0);
    if (files.length === 0) return [];
    const list = `[${files.map(quote).join(', ')}]`;
    await c.run(
      `CREATE TABLE staged AS SELECT *, CAST(floor((sum(record_bytes) OVER (PARTITION BY ${PARTITION_COLUMN} ORDER BY ${FILE_ORDER} ROWS UNBOUNDED PRECEDING) - 1) / ${buffer}) AS INTEGER) AS chunk
       FROM read_json(${list}, format = 'newline_delimited', columns = ${stagedColumns()})`,
    );
    const chunks = (
      await c.runAndReadAll(
        `SELECT ${PARTITION_COLUMN} AS day, chunk, count(*) AS n FROM staged GROUP BY ALL ORDER BY ALL`,
      )
    ).getRowObjectsJson() as { day: string; chunk: number; n: string }[];
    const written: WrittenFile[] = [];
    for (const { day, chunk, n } of chunks) {
      const dir = join(options.outDir, `${PARTITION_COLUMN}=${day}`);
      const path = join(`${PARTITION_COLUMN}=${day}`, `${options.filePrefix}-${chunk}.parquet`);
      mkdirSync(dir, { recursive: true });
      await c.run(
        `COPY (SELECT ${selectTyped()} FROM staged WHERE ${PARTITION_COLUMN} = ${quote(day)} AND chunk = ${Number(chunk)} ORDER BY ${FILE_ORDER})
         TO ${quote(join(options.outDir, path))} (FORMAT parquet, COMPRESSION snappy)`,
      );
      written.push({ day, path, rows: Number(n), bytes: statSync(join(options.outDir, path)).size });
    }
    return written;
  } finally {
    db.close();
  }
}
