import { parseInteger } from './args.js';
import { UsageError } from './command.js';

/** An aligned plain-text table for terminals. */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const cells = [headers, ...rows.map((r) => r.map(text))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => text(r[c]).length)));
  const line = (r: readonly unknown[]) =>
    r
      .map((v, c) => text(v).padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n')}\n`;
}

// ---- Streaming output of the query commands: a table for people, JSON or NDJSON for scripts. ----

export type OutputFormat = 'table' | 'json' | 'ndjson';

/** Options every listing command takes (merge into a Command's `options`). */
export const OUTPUT_OPTIONS = {
  json: { type: 'boolean' },
  ndjson: { type: 'boolean' },
  limit: { type: 'string' },
} as const;

export const OUTPUT_USAGE = [
  '  --json            one JSON document: {"items":[...],"count":N,"truncated":false}',
  '  --ndjson          one JSON item per line',
  '  --limit N         stop after N items',
].join('\n');

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
  const widths: number[] = view.headers.map((h) => h.length);
  let chunk: string[][] = [];
  let headerDone = false;

  const flushTable = async () => {
    if (!settings.aligned) return;
    for (const row of chunk) {
      row.forEach((c, i) => {
        widths[i] = Math.max(widths[i] ?? 0, c.length);
      });
    }
    const line = (r: readonly string[]) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    let text = '';
    if (!headerDone) text += `${line(view.headers)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`;
    headerDone = true;
    for (const row of chunk) text += `${line(row)}\n`;
    chunk = [];
    await sink.write(text);
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
      const rows = view.rows(item, settings.aligned).map((r) => r.map((c) => cellText(c, settings.aligned)));
      if (settings.aligned) {
        chunk.push(...rows);
        if (chunk.length >= TABLE_CHUNK) await flushTable();
      } else {
        if (!headerDone) await sink.write(`${view.headers.join('\t')}\n`);
        headerDone = true;
        await sink.write(rows.map((r) => `${r.join('\t')}\n`).join(''));
      }
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

/** `arn:aws:ecs:us-east-1:111122223333:task/prod/0123…` → `task/prod/0123…`: the part a reader needs in a table. */
export const shortArn = (arn: unknown): unknown =>
  typeof arn === 'string' && /^arn:[^:]+:ecs:[^:]*:[^:]*:/.test(arn) ? arn.split(':').slice(5).join(':') : arn;
