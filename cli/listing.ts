import { PAGE_OPTIONS, parsePageSize } from './args.js';
import { type Clients, withClients } from './clients.js';
import type { Command, CommandArgs } from './command.js';
import type { OptionTable } from './options.js';
import { type EmitResult, emit, OUTPUT_OPTIONS, type OutputSettings, outputSettings, type View } from './output.js';

/** What a listing command shows: its items, how, and maybe a word after them. */
interface Listing<T> {
  readonly items: AsyncIterable<T> | Iterable<T>;
  readonly view: View<T>;
  /** Runs once the items are written (a total on stderr, ...). */
  readonly after?: (result: EmitResult, settings: OutputSettings) => void;
}

interface ListingSpec<Q, T> extends Omit<Command, 'run' | 'options'> {
  /** The command's own options; the output options and `--page-size` are added after them. */
  readonly options: OptionTable;
  /** Reads and checks the arguments before any client exists: a mistake is a UsageError here. */
  parse(args: Pick<CommandArgs, 'values' | 'positionals'>): Q;
  /** Reads what to list; `pageSize` is DynamoDB's Limit per request (undefined: the default). */
  list(clients: Clients, query: Q, pageSize: number | undefined): Promise<Listing<T>>;
}

/**
 * A query command that lists items (history, timeline, tasks, ...): parse the arguments, read
 * through the clients, write the items as a table, JSON or NDJSON (`--json`, `--ndjson`,
 * `--limit`). Exit code 0, also when nothing matched (the table form says so on stderr).
 */
export function listingCommand<Q, T>(spec: ListingSpec<Q, T>): Command {
  const { parse, list, ...text } = spec;
  return {
    ...text,
    options: { ...spec.options, ...OUTPUT_OPTIONS, ...PAGE_OPTIONS },
    async run({ values, positionals, context }) {
      const query = parse({ values, positionals });
      const settings = outputSettings(values);
      const pageSize = parsePageSize(values);
      return withClients(context, async (clients) => {
        const { items, view, after } = await list(clients, query, pageSize);
        const result = await emit(items, view, settings);
        after?.(result, settings);
        return 0;
      });
    },
  };
}
