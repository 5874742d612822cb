import {
  type AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryResultsCommandOutput,
  paginateGetQueryResults,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { QueryResult } from './duckdb.js';
import { SqlError } from './duckdb.js';

// `ecs-events sql --athena`: the same SQL text on Athena, in the stack's workgroup and Glue database
// (deploy/coldStore.cjs), printed as the embedded engine prints it.

/** Athena bills at least 10 MB a query, at $5 per TB scanned (decimal units, as AWS bills them). */
export const ATHENA_MIN_BILLED_BYTES = 10_000_000;
export const ATHENA_USD_PER_TB = 5;

export interface AthenaRun extends QueryResult {
  readonly queryExecutionId: string;
  readonly bytesScanned: number;
  readonly billedBytes: number;
  readonly costUsd: number;
}

const INTEGER = new Set(['tinyint', 'smallint', 'integer', 'bigint']);
const DECIMAL = /^(double|real|float|decimal)/;

/** A cell as Athena returns it (every value is text) in the type its column declares. */
function cell(type: string, text: string | undefined): unknown {
  if (text === undefined) return null;
  if (INTEGER.has(type)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (DECIMAL.test(type)) return Number(text);
  if (type === 'boolean') return text === 'true';
  return text;
}

export async function runOnAthena(
  client: AthenaClient,
  query: { readonly sql: string; readonly workgroup: string; readonly database: string },
  options: { readonly pollMs?: number; readonly timeoutMs?: number } = {},
): Promise<AthenaRun> {
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: query.sql,
      WorkGroup: query.workgroup,
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: query.database },
    }),
  );
  const id = started.QueryExecutionId as string;
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let wait = options.pollMs ?? 250;
  for (;;) {
    const { QueryExecution: q } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = q?.Status?.State;
    if (state === 'SUCCEEDED') {
      const bytesScanned = q?.Statistics?.DataScannedInBytes ?? 0;
      const result = await readResults(client, id);
      const billedBytes = Math.max(bytesScanned, ATHENA_MIN_BILLED_BYTES);
      return {
        ...result,
        queryExecutionId: id,
        bytesScanned,
        billedBytes,
        costUsd: (billedBytes / 1e12) * ATHENA_USD_PER_TB,
      };
    }
    if (state === 'FAILED' || state === 'CANCELLED') {
      // Athena's own message, with its line and column ("line 1:8: ...").
      throw new SqlError(`Athena: ${q?.Status?.StateChangeReason ?? state} (query ${id})`);
    }
    if (Date.now() > deadline) throw new SqlError(`Athena: query ${id} still ${state} after the time allowed`);
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, 5000);
  }
}

async function readResults(client: AthenaClient, id: string): Promise<QueryResult> {
  let columns: string[] = [];
  let types: string[] = [];
  const rows: Record<string, unknown>[] = [];
  let first = true;
  for await (const page of paginateGetQueryResults(
    { client },
    { QueryExecutionId: id },
  ) as AsyncIterable<GetQueryResultsCommandOutput>) {
    if (columns.length === 0) {
      const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      columns = info.map((c) => c.Name ?? c.Label ?? '');
      types = info.map((c) => (c.Type ?? 'varchar').toLowerCase());
    }
    const data = page.ResultSet?.Rows ?? [];
    // The first row of the first page is the header (for a SELECT).
    for (const [i, row] of data.entries()) {
      if (first && i === 0) continue;
      const out: Record<string, unknown> = {};
      columns.forEach((c, k) => {
        out[c] = cell(types[k] as string, row.Data?.[k]?.VarCharValue);
      });
      rows.push(out);
    }
    first = false;
  }
  return { columns, types, rows };
}
