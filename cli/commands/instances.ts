import { clusterStateCommand } from '../clusterStateCommand.js';
import { shortArn, type View } from '../output.js';

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

export default clusterStateCommand('instance', view, {
  summary: 'the current container instances of a cluster (from the latest-state table)',
  about: `The current state of a cluster's container instances, read from the latest-state table
(ECSCtrInstanceState, index byCluster).`,
  status: 'only instances whose status is S (ACTIVE, DRAINING, INACTIVE, ...)',
});
