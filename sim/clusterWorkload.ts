import type { EcsEvent } from '../domain/eventTypes.js';
import { DEFAULT_SPAN_MS, recentStart } from './clock.js';
import { hexId, pick, type Random, randomInt } from './random.js';
import { STOPPING_STATES, stampsReached } from './taskStamps.js';

/**
 * A generated, realistic ECS estate: task lifecycles (PROVISIONING → … → STOPPED, or still running),
 * container-instance churn (register, agent reconnects, drain, deregister), over several clusters.
 */
export interface WorkloadOptions {
  readonly tasks: number;
  readonly instances: number;
  readonly clusters?: number;
  /** Start of the generated period, epoch ms; by default it ends an hour before now (sim/clock.ts). */
  readonly startMs?: number;
  /** Length of the generated period. */
  readonly spanMs?: number;
  readonly region?: string;
  readonly account?: string;
}

const STOPS = [
  { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 1 },
  { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 137 },
  {
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)',
    exitCode: 0,
  },
  { stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user', exitCode: 143 },
  {
    stopCode: 'TaskFailedToStart',
    stoppedReason: 'CannotPullContainerError: pull image manifest has been retried',
    exitCode: undefined,
  },
  { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.', exitCode: 143 },
] as const;

const SERVICES = ['web', 'api', 'worker', 'cron'];

const iso = (ms: number): string => new Date(ms).toISOString();

function envelope(
  rng: Random,
  detailType: string,
  timeMs: number,
  resource: string,
  region: string,
  account: string,
  detail: Record<string, unknown>,
): EcsEvent {
  return {
    version: '0',
    id: `${hexId(rng, 8)}-${hexId(rng, 4)}-4${hexId(rng, 3)}-a${hexId(rng, 3)}-${hexId(rng, 12)}`,
    'detail-type': detailType as EcsEvent['detail-type'],
    source: 'aws.ecs',
    account,
    // ECS sends second precision in the envelope; updatedAt keeps milliseconds.
    time: iso(Math.floor(timeMs / 1000) * 1000).replace('.000Z', 'Z'),
    region,
    resources: [resource],
    detail,
  };
}

export function generateWorkload(rng: Random, options: WorkloadOptions): EcsEvent[] {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '111122223333';
  const span = options.spanMs ?? DEFAULT_SPAN_MS;
  const start = options.startMs ?? recentStart(span);
  const clusterNames = Array.from({ length: options.clusters ?? 2 }, (_, i) => (i === 0 ? 'prod' : `cluster-${i}`));
  const arn = (type: string, id: string) => `arn:aws:ecs:${region}:${account}:${type}/${id}`;
  const events: EcsEvent[] = [];

  const instances = Array.from({ length: options.instances }, () => {
    const cluster = pick(rng, clusterNames);
    return { cluster, arn: arn('container-instance', `${cluster}/${hexId(rng, 32)}`), ec2: `i-${hexId(rng, 17)}` };
  });
  for (const inst of instances) {
    let t = start + Math.floor(rng() * span * 0.2);
    const statuses: [string, boolean][] = [
      ['REGISTERING', false],
      ['ACTIVE', true],
    ];
    for (let i = randomInt(rng, 0, 4); i > 0; i--) statuses.push(['ACTIVE', false], ['ACTIVE', true]);
    if (rng() < 0.3) statuses.push(['DRAINING', true], ['INACTIVE', false]);
    statuses.forEach(([status, agentConnected], v) => {
      t += randomInt(rng, 1_000, span / 20);
      events.push(
        envelope(rng, 'ECS Container Instance State Change', t, inst.arn, region, account, {
          agentConnected,
          clusterArn: arn('cluster', inst.cluster),
          containerInstanceArn: inst.arn,
          ec2InstanceId: inst.ec2,
          status,
          version: v + 1,
          registeredResources: [
            { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
            { name: 'MEMORY', type: 'INTEGER', integerValue: 3767 },
          ],
          remainingResources: [
            { name: 'CPU', type: 'INTEGER', integerValue: randomInt(rng, 0, 2048) },
            { name: 'MEMORY', type: 'INTEGER', integerValue: randomInt(rng, 0, 3767) },
          ],
          versionInfo: { agentVersion: '1.88.0', agentHash: 'abcdef1', dockerVersion: 'DockerVersion: 25.0.3' },
          updatedAt: iso(t),
        }),
      );
    });
  }

  for (let n = 0; n < options.tasks; n++) {
    const fargate = instances.length === 0 || rng() < 0.5;
    const inst = fargate ? undefined : pick(rng, instances);
    const cluster = inst?.cluster ?? pick(rng, clusterNames);
    const taskArn = arn('task', `${cluster}/${hexId(rng, 32)}`);
    const service = pick(rng, SERVICES);
    const created = start + Math.floor(rng() * span);
    const stop = rng() < 0.6 ? pick(rng, STOPS) : undefined;
    const path = fargate ? ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING'] : ['PENDING', 'RUNNING'];
    if (stop?.stopCode === 'TaskFailedToStart') path.splice(path.indexOf('RUNNING'));
    if (stop) path.push(...(fargate ? STOPPING_STATES : ['STOPPED']));
    // What a task keeps for life: its container, image and task definition.
    const containerArn = arn('container', `${cluster}/${hexId(rng, 32)}`);
    const image = `${account}.dkr.ecr.${region}.amazonaws.com/${service}:v${randomInt(rng, 1, 9)}`;
    // Two revisions per service, as after a deploy (one draw, as ever: the seeded estate stays the same).
    const taskDefinitionArn = arn('task-definition', `${service}:${randomInt(rng, 5, 6)}`);
    let t = created;
    // The task's timestamps as ECS sets them, each kept on every later event (no draw of its own: the
    // seeded estate is the same as before they were added).
    const stamps: Record<string, string> = {};
    path.forEach((lastStatus, i) => {
      const previous = t;
      t += randomInt(rng, 500, 60_000);
      Object.assign(stamps, stampsReached(lastStatus, path, previous, t, stamps));
      const stopped = lastStatus === 'STOPPED';
      const stopping = stop && path.indexOf(lastStatus) >= path.length - (fargate ? 4 : 1);
      const container: Record<string, unknown> = {
        containerArn,
        name: service,
        taskArn,
        image,
        lastStatus: stopped ? 'STOPPED' : lastStatus === 'RUNNING' ? 'RUNNING' : 'PENDING',
      };
      if (stopped && stop?.exitCode !== undefined) container.exitCode = stop.exitCode;
      const detail: Record<string, unknown> = {
        clusterArn: arn('cluster', cluster),
        containers: [container],
        createdAt: iso(created),
        desiredStatus: stopping ? 'STOPPED' : 'RUNNING',
        group: `service:${service}`,
        launchType: fargate ? 'FARGATE' : 'EC2',
        lastStatus,
        overrides: { containerOverrides: [{ name: service }] },
        startedBy: 'ecs-svc/9223370556150183303',
        taskArn,
        taskDefinitionArn,
        cpu: '256',
        memory: '512',
        updatedAt: iso(t),
        version: i + 1,
      };
      if (inst) detail.containerInstanceArn = inst.arn;
      if (stopping && stop) Object.assign(detail, { stopCode: stop.stopCode, stoppedReason: stop.stoppedReason });
      Object.assign(detail, stamps);
      events.push(envelope(rng, 'ECS Task State Change', t, taskArn, region, account, detail));
    });
  }
  return events;
}
