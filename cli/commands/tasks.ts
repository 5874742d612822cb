import { clusterStateCommand } from '../clusterStateCommand.js';
import { BY_CLUSTER, TASKS } from '../iamTargets.js';
import { seenMissingCell, updatedCell } from '../observedCells.js';
import { shortArn, type View } from '../output.js';

type Row = Record<string, unknown>;

const view: View<Row> = {
  headers: ['TASK', 'LAST STATUS', 'DESIRED', 'GROUP', 'LAUNCH TYPE', 'VERSION', 'UPDATED AT', 'SEEN MISSING'],
  rows: (r) => [
    [
      shortArn(r.taskArn),
      r.lastStatus,
      r.desiredStatus,
      r.group,
      r.launchType,
      r.version,
      updatedCell(r),
      seenMissingCell(r),
    ],
  ],
  json: (r) => r,
  empty: 'no tasks of this cluster in the latest-state table',
};

export default clusterStateCommand('task', view, {
  summary: 'the current tasks of a cluster (from the latest-state table)',
  uses: [
    {
      use: 'tasks --cluster <arn>',
      role: 'reader',
      grants: [
        { actions: ['Query'], on: [BY_CLUSTER('taskState')] },
        { actions: ['BatchGetItem'], on: [TASKS] },
      ],
      argv: (f) => ['tasks', '--cluster', f.clusterArn],
    },
  ],
  about: `The current state of a cluster's tasks, read from the latest-state table (ECSTaskState, index
byClusterPhase). STOPPED tasks stay listed until their row expires (STATE_TTL_DAYS after the stop).`,
  status: 'only tasks whose lastStatus is S (RUNNING, PENDING, STOPPED, ...)',
});
