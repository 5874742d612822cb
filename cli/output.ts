import { parseInteger } from './args.js';
import { UsageError } from './command.js';
import type { OptionTable } from './options.js';

/**
 * The one table writer: aligned columns for people, or tab-separated values with a header line for
 * pipes and files. Rows may come in chunks: aligned widths grow with each chunk and never shrink.
 */
class TableWriter {
  private readonly widths: number[];
  private started = false;
  constructor(
    private readonly headers: readonly string[],
    private readonly aligned: boolean,
  ) {
    this.widths = headers.map((h) => h.length);
  }

  /** The text of these rows, after the header the first time. */
  rows(rows: readonly (readonly string[])[]): string {
    const header = this.started ? [] : [this.headers];
    this.started = true;
    if (!this.aligned) return [...header, ...rows].map((r) => `${r.join('\t')}\n`).join('');
    for (const row of rows) {
      row.forEach((cell, i) => {
        this.widths[i] = Math.max(this.widths[i] ?? 0, cell.length);
      });
    }
    const line = (r: readonly string[]) =>
      r
        .map((cell, i) => cell.padEnd(this.widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    const rule = header.length > 0 ? [this.widths.map((w) => '-'.repeat(w)).join('  ')] : [];
    return [...header.map(line), ...rule, ...rows.map(line)].map((l) => `${l}\n`).join('');
  }
}

/** An aligned plain-text table of a whole report (empty cells for undefined and null). */
/** Rows a human report lists before it says how many more there are (the JSON output has them all). */
export const LISTED = 50;

/** A table of the first LISTED items (each item one or more rows), then how many were left out. */
export function formatListed<T>(
  headers: readonly string[],
  items: readonly T[],
  rowsOf: (item: T) => readonly (readonly unknown[])[],
): string {
  const table = formatTable(headers, items.slice(0, LISTED).flatMap(rowsOf));
  return items.length > LISTED ? `${table}… and ${items.length - LISTED} more (--json lists them all)\n` : table;
}

export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return new TableWriter(headers, true).rows(
    rows.map((r) => r.map((v) => (v === undefined || v === null ? '' : String(v)))),
  );
}

// ---- Streaming output of the query commands: a table for people, JSON or NDJSON for scripts. ----

type OutputFormat = 'table' | 'json' | 'ndjson';

/** Options every listing command takes (cli/listing.ts adds them). */
export const OUTPUT_OPTIONS: OptionTable = {
  json: { type: 'boolean', help: 'one JSON document: {"items":[...],"count":N,"truncated":false}' },
  ndjson: { type: 'boolean', help: 'one JSON item per line' },
  limit: { type: 'string', value: 'N', help: 'stop after N items' },
};

export interface OutputSettings {
  readonly format: OutputFormat;
  readonly limit?: number | undefined;
  /** Aligned columns (a terminal) or tab-separated values with a header line (a pipe or file). */
  readonly aligned: boolean;
}

export function outputSettings(
  values: Record<string, unknown>,
  stdout: { isTTY?: boolean } = process.stdout,
): OutputSettings {
  if (values.json && values.ndjson) throw new UsageError('--json and --ndjson exclude each other');
  return {
    format: values.json ? 'json' : values.ndjson ? 'ndjson' : 'table',
    limit: parseInteger(values.limit, '--limit', 1),
    aligned: stdout.isTTY === true,
  };
}

/** How one command shows its items. */
export interface View<T> {
  readonly headers: readonly string[];
  /** The table rows of one item (an item may take several rows); `aligned` is false for tab-separated output. */
  rows(item: T, aligned: boolean): readonly (readonly unknown[])[];
  /** The item in `--json` / `--ndjson` output: the documented, stable shape. */
  json(item: T): unknown;
  /** Said on stderr in table form when nothing matched (the exit code stays 0). */
  readonly empty: string;
}

export interface EmitResult {
  readonly count: number;
  /** More items matched than `--limit` let through. */
  readonly truncated: boolean;
}

/** Rows kept before an aligned table is written: column widths are measured per chunk and never shrink. */
const TABLE_CHUNK = 100;

/** A stdout that honours backpressure and goes quiet when the reader has gone (`| head`). */
class Sink {
  private closed = false;
  constructor(private readonly out: NodeJS.WritableStream) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
      else throw e;
    });
  }
  get gone(): boolean {
    return this.closed;
  }
  async write(text: string): Promise<void> {
    if (this.closed || text === '') return;
    if (this.out.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        this.out.off('error', done);
        resolve();
      };
      this.out.on('drain', done).on('close', done).on('error', done);
    });
  }
}

const cellText = (v: unknown, aligned: boolean): string => {
  if (v === undefined || v === null) return aligned ? '-' : '';
  const text = Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return aligned ? text : text.replace(/[\t\r\n]+/g, ' ');
};

/**
 * Writes items as they arrive: a table (aligned on a terminal, tab-separated otherwise), one JSON
 * document, or one JSON line per item. Stops pulling at `--limit` (one more item is read to tell
 * whether the result was cut), so a long result never sits in memory.
 */
export async function emit<T>(
  items: AsyncIterable<T> | Iterable<T>,
  view: View<T>,
  settings: OutputSettings,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<EmitResult> {
  const sink = new Sink(out);
  const limit = settings.limit ?? Number.POSITIVE_INFINITY;
  let count = 0;
  let truncated = false;
  const table = new TableWriter(view.headers, settings.aligned);
  // Aligned rows wait in a chunk, so that their widths are measured over many rows at once.
  let chunk: string[][] = [];
  const flushTable = async () => {
    await sink.write(table.rows(chunk));
    chunk = [];
  };

  if (settings.format === 'json') await sink.write('{"items":[');
  for await (const item of items) {
    if (count >= limit) {
      truncated = true;
      break;
    }
    if (sink.gone) break;
    count++;
    if (settings.format === 'json') {
      await sink.write(`${count > 1 ? ',' : ''}\n${JSON.stringify(view.json(item))}`);
    } else if (settings.format === 'ndjson') {
      await sink.write(`${JSON.stringify(view.json(item))}\n`);
    } else {
      chunk.push(...view.rows(item, settings.aligned).map((r) => r.map((c) => cellText(c, settings.aligned))));
      if (!settings.aligned || chunk.length >= TABLE_CHUNK) await flushTable();
    }
  }
  if (settings.format === 'json') {
    await sink.write(`${count > 0 ? '\n' : ''}],"count":${count},"truncated":${truncated}}\n`);
  } else if (settings.format === 'table') {
    if (chunk.length > 0) await flushTable();
    if (count === 0) err.write(`${view.empty}\n`);
    else if (truncated) err.write(`(first ${count} shown; more match: raise --limit)\n`);
  }
  return { count, truncated };
}

/** Maps an async sequence lazily, item by item. */
export async function* mapItems<T, U>(items: AsyncIterable<T>, f: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield f(item);
}

// One shortArn for the tables and the report page, whose bundle can import only browser-safe modules.
export { shortArn } from './report/shared/format.js';
