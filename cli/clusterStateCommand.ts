import { KINDS, type StateKind } from '../domain/kinds.js';
import { queryClusterState } from '../infra/stateQueries.js';
import type { Clients } from './clients.js';
import { CLUSTER_SCOPE_OPTIONS, isSingleCluster, parseClusterScope, withOriginColumns } from './clusterScope.js';
import type { Command } from './command.js';
import { listingCommand } from './listing.js';
import type { View } from './output.js';

type Row = Record<string, unknown>;

/**
 * `tasks` and `instances`: the current rows of one cluster, read through the byClusterPhase index
 * (keys only, then the rows);
 * `withRows` may add to each row what the latest-state table does not hold (from the log).
 * With `--account` / `--region` and no `--cluster`, the rows of every known cluster of them, cluster
 * after cluster (cli/clusterScope.ts), with ACCOUNT and REGION columns.
 */
export function clusterStateCommand(
  kind: StateKind,
  view: View<Row>,
  text: Pick<Command, 'summary' | 'about' | 'uses'> & { status: string },
  withRows: (clients: Clients, rows: AsyncIterable<Row>) => AsyncIterable<Row> = (_, rows) => rows,
): Command {
  return listingCommand({
    summary: text.summary,
    about: text.about,
    uses: text.uses,
    options: { ...CLUSTER_SCOPE_OPTIONS, status: { type: 'string', value: 'S', help: text.status } },
    parse: ({ values }) => ({ scope: parseClusterScope(values), status: values.status as string | undefined }),
    list: async (clients, query, pageSize) => {
      const clusterArns = await clients.clusters(query.scope);
      async function* rows() {
        for (const clusterArn of clusterArns) {
          yield* queryClusterState(clients.doc, clients.tables, kind, clusterArn, { status: query.status, pageSize });
        }
      }
      const key = KINDS[kind].state.key;
      return {
        items: withRows(clients, rows()),
        view: isSingleCluster(query.scope) ? view : withOriginColumns(view, (row) => row[key]),
      };
    },
  });
}
