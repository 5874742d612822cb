import { queryClusterState } from '../../infra/stateQueries.js';
import { PAGE_OPTIONS, PAGE_USAGE, parsePageSize } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { emit, OUTPUT_OPTIONS, OUTPUT_USAGE, outputSettings, shortArn, type View } from '../output.js';
import { withStore } from '../store.js';

type Row = Record<string, unknown>;

const view: View<Row> = {
  headers: ['CONTAINER INSTANCE', 'STATUS', 'AGENT', 'EC2 INSTANCE', 'RUNNING', 'PENDING', 'VERSION', 'UPDATED AT'],
  rows: (r) => [
    [
      shortArn(r.containerInstanceArn),
      r.status,
      r.agentConnected === undefined ? undefined : r.agentConnected ? 'connected' : 'disconnected',
      r.ec2InstanceId,
      r.runningTasksCount,
      r.pendingTasksCount,
      r.version,
      r.updatedAt,
    ],
  ],
  json: (r) => r,
  empty: 'no container instances of this cluster in the latest-state table',
};

const command: Command = {
  summary: 'the current container instances of a cluster (from the latest-state table)',
  usage: `Usage: ecs-events instances --cluster <arn or name> [--status S] [options]

The current state of a cluster's container instances, read from the latest-state table
(ECSCtrInstanceState, index byCluster).

  --cluster C       cluster ARN, or a name found in the latest-state tables (required)
  --status S        only instances whose status is S (ACTIVE, DRAINING, INACTIVE, ...)
${OUTPUT_USAGE}
${PAGE_USAGE}`,
  options: { cluster: { type: 'string' }, status: { type: 'string' }, ...OUTPUT_OPTIONS, ...PAGE_OPTIONS },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const settings = outputSettings(values);
    const pageSize = parsePageSize(values);
    return withStore(async (store) => {
      const clusterArn = await store.cluster(values.cluster);
      const rows = queryClusterState(store.doc, store.tables, 'instance', clusterArn, {
        status: values.status as string | undefined,
        pageSize,
      });
      await emit(rows, view, settings);
      return 0;
    });
  },
};

export default command;
