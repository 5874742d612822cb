import { withLatestHealth } from '../../usecases/audit.js';
import { clusterStateCommand } from '../clusterStateCommand.js';
import { BY_CLUSTER, INSTANCES, LOG } from '../iamTargets.js';
import { seenMissingCell, updatedCell } from '../observedCells.js';
import { shortArn, type View } from '../output.js';

type Row = Record<string, unknown>;

const view: View<Row> = {
  headers: [
    'CONTAINER INSTANCE',
    'STATUS',
    'HEALTH',
    'AGENT',
    'EC2 INSTANCE',
    'RUNNING',
    'PENDING',
    'VERSION',
    'UPDATED AT',
    'SEEN MISSING',
  ],
  rows: (r) => [
    [
      shortArn(r.containerInstanceArn),
      r.status,
      r.overallStatus,
      r.agentConnected === undefined ? undefined : r.agentConnected ? 'connected' : 'disconnected',
      r.ec2InstanceId,
      r.runningTasksCount,
      r.pendingTasksCount,
      r.version,
      updatedCell(r),
      seenMissingCell(r),
    ],
  ],
  json: (r) => r,
  empty: 'no container instances of this cluster in the latest-state table',
};

export default clusterStateCommand(
  'instance',
  view,
  {
    summary: 'the current container instances of a cluster (from the latest-state table)',
    uses: [
      {
        use: 'instances --cluster <arn>',
        role: 'reader',
        grants: [
          { actions: ['Query'], on: [BY_CLUSTER('instanceState'), LOG] },
          { actions: ['BatchGetItem'], on: [INSTANCES] },
        ],
        argv: (f) => ['instances', '--cluster', f.clusterArn],
      },
    ],
    about: `The current state of a cluster's container instances, read from the latest-state table
(ECSCtrInstanceState, index byClusterPhase). HEALTH is the overallStatus (OK, IMPAIRED, ...) of the
instance's latest ECS Container Instance Health Change in the log (JSON: overallStatus and
healthEventTime), empty when the log has none: one Query of the log per instance.`,
    status: 'only instances whose status is S (ACTIVE, DRAINING, INACTIVE, ...)',
  },
  (clients, rows) => withLatestHealth(clients.doc, clients.tables.eventLog, rows),
);
