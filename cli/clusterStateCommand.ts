import type { StateKind } from '../domain/kinds.js';
import { queryClusterState } from '../infra/stateQueries.js';
import { CLUSTER_OPTION } from './args.js';
import type { Command } from './command.js';
import { listingCommand } from './listing.js';
import type { View } from './output.js';

type Row = Record<string, unknown>;

/** `tasks` and `instances`: the current rows of one cluster, read through the byCluster index. */
export function clusterStateCommand(
  kind: StateKind,
  view: View<Row>,
  text: { summary: string; about: string; status: string },
): Command {
  return listingCommand({
    summary: text.summary,
    about: text.about,
    options: { ...CLUSTER_OPTION, status: { type: 'string', value: 'S', help: text.status } },
    parse: ({ values }) => ({ cluster: values.cluster, status: values.status as string | undefined }),
    list: async (clients, query, pageSize) => ({
      items: queryClusterState(clients.doc, clients.tables, kind, await clients.cluster(query.cluster), {
        status: query.status,
        pageSize,
      }),
      view,
    }),
  });
}
