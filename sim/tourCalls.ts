// The ECS API calls behind the tour's story (sim/tour.ts), as CloudTrail records them and EventBridge
// delivers them (`AWS API Call via CloudTrail`, the record format of test/fixtures/cloudtrail/): who
// stopped the tasks stopped by a user, who started the deployments of `web`, and a denied RunTask.
// Derived from the tour's events without drawing from its random source, so the estate is unchanged;
// every id is a hash of what the call is about, so the calls are the same on every run.
import { createHash } from 'node:crypto';
import { CALL_DETAIL_TYPE } from '../domain/apiCalls/actions.js';
import type { EcsEvent } from '../domain/eventTypes.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

interface Caller {
  readonly role: string;
  readonly session: string;
  readonly ip: string;
  readonly agent: string;
}

const JANE: Caller = {
  role: 'Admin',
  session: 'jane',
  ip: '203.0.113.24',
  agent: 'aws-cli/2.22.0 md/command#ecs.stop-task',
};
const DEPLOY: Caller = {
  role: 'deploy',
  session: 'github-actions-4821',
  ip: '198.51.100.7',
  agent: 'aws-sdk-js/3.700.0',
};
const CI: Caller = { role: 'ci-readonly', session: 'pr-1337', ip: '198.51.100.40', agent: 'aws-sdk-js/3.700.0' };

/** A UUID-shaped id, stable for `seed`. */
const idOf = (seed: string): string => {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function call(
  who: Caller,
  atMs: number,
  eventName: string,
  request: Record<string, unknown>,
  response: Record<string, unknown> | null,
  error?: { code: string; message: string },
): EcsEvent {
  // What the call is about, never its time: the tour's calls keep their ids as the clock moves.
  const eventID = idOf(`${eventName}:${JSON.stringify(request)}:${JSON.stringify(response)}`);
  return {
    version: '0',
    id: idOf(`envelope:${eventID}`),
    'detail-type': CALL_DETAIL_TYPE,
    source: 'aws.ecs',
    account: ACCOUNT,
    // CloudTrail delivers a call seconds to minutes after it is made.
    time: iso(atMs + 40_000),
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.11',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${who.role}/${who.session}`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            arn: `arn:aws:iam::${ACCOUNT}:role/${who.role}`,
            accountId: ACCOUNT,
            userName: who.role,
          },
        },
      },
      eventTime: iso(atMs),
      eventSource: 'ecs.amazonaws.com',
      eventName,
      awsRegion: REGION,
      sourceIPAddress: who.ip,
      userAgent: who.agent,
      ...(error && { errorCode: error.code, errorMessage: error.message }),
      requestParameters: request,
      responseElements: response,
      requestID: idOf(`request:${eventID}`),
      eventID,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}

const detailOf = (e: EcsEvent) => e.detail as Record<string, unknown>;
const timeOf = (e: EcsEvent): number => Date.parse(e.time as string);

/** The calls of the tour's events: a StopTask before each user-stopped task, an UpdateService per deployment a user started. */
export function tourCalls(
  events: readonly EcsEvent[],
  service: { serviceArn: string; clusterArn: string },
): EcsEvent[] {
  const calls: EcsEvent[] = [];
  // Jane stops the tasks the tour stops "by user": 10 s before each one's first STOPPED event.
  const stopped = new Map<string, EcsEvent>();
  for (const e of events) {
    const d = detailOf(e);
    if (e['detail-type'] !== 'ECS Task State Change' || d.stopCode !== 'UserInitiated') continue;
    const taskArn = String(d.taskArn);
    const seen = stopped.get(taskArn);
    if (!seen || timeOf(e) < timeOf(seen)) stopped.set(taskArn, e);
  }
  for (const [taskArn, e] of [...stopped].sort(([a], [b]) => a.localeCompare(b))) {
    const id = taskArn.split('/').at(-1) as string;
    calls.push(
      call(
        JANE,
        timeOf(e) - 10_000,
        'StopTask',
        { cluster: 'prod', task: id, reason: 'Scaling down' },
        { task: { taskArn, lastStatus: 'RUNNING', desiredStatus: 'STOPPED' } },
      ),
    );
  }
  // The deploy role starts each deployment of web; the rollback's second run is ECS's own (no call).
  const firstRun = new Map<string, number>();
  for (const e of events) {
    const d = detailOf(e);
    if (e['detail-type'] !== 'ECS Deployment State Change' || d.eventName !== 'SERVICE_DEPLOYMENT_IN_PROGRESS')
      continue;
    const id = String(d.deploymentId);
    firstRun.set(id, Math.min(firstRun.get(id) ?? Number.POSITIVE_INFINITY, timeOf(e)));
  }
  for (const [deploymentId, atMs] of [...firstRun].sort(([, a], [, b]) => a - b)) {
    calls.push(
      call(
        DEPLOY,
        atMs - 3_000,
        'UpdateService',
        {
          cluster: 'prod',
          service: 'web',
          taskDefinition: `web:${idOf(deploymentId).charCodeAt(0) % 2 === 0 ? 5 : 6}`,
        },
        {
          service: {
            serviceArn: service.serviceArn,
            serviceName: 'web',
            clusterArn: service.clusterArn,
            status: 'ACTIVE',
            deployments: [{ id: deploymentId, status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }],
          },
        },
      ),
    );
  }
  // A pull request's pipeline tries to run a task with a read-only role.
  const first = Math.min(...events.map(timeOf));
  calls.push(
    call(CI, first + 20 * 60_000, 'RunTask', { cluster: 'prod', taskDefinition: 'web-migrate:3', count: 1 }, null, {
      code: 'AccessDenied',
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/${CI.role}/${CI.session} is not authorized to perform: ecs:RunTask`,
    }),
  );
  return calls;
}
