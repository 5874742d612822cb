import type { StateKind } from '../domain/eventTypes.js';
import { queryClusterState } from '../infra/stateQueries.js';
import { PAGE_OPTIONS, PAGE_USAGE, parsePageSize } from './args.js';
import { type Command, UsageError } from './command.js';
import { emit, OUTPUT_OPTIONS, OUTPUT_USAGE, outputSettings, type View } from './output.js';
import { withStore } from './store.js';

/** `tasks` and `instances`: the current rows of one cluster, read through the byCluster index. */
export function clusterStateCommand(
  kind: StateKind,
  view: View<Record<string, unknown>>,
  text: { summary: string; usage: string },
): Command {
  return {
    summary: text.summary,
    usage: `${text.usage.trimEnd()}
${OUTPUT_USAGE}
${PAGE_USAGE}`,
    options: { cluster: { type: 'string' }, status: { type: 'string' }, ...OUTPUT_OPTIONS, ...PAGE_OPTIONS },
    async run({ values, positionals }) {
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
      const settings = outputSettings(values);
      const pageSize = parsePageSize(values);
      return withStore(async (store) => {
        const clusterArn = await store.cluster(values.cluster);
        const rows = queryClusterState(store.doc, store.tables, kind, clusterArn, {
          status: values.status as string | undefined,
          pageSize,
        });
        await emit(rows, view, settings);
        return 0;
      });
    },
  };
}
