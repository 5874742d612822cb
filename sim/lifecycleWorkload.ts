import type { StoredEvent } from '../domain/audit/storedEvent.js';
import { InternalError } from '../domain/errors.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import type { LifecycleInput } from '../domain/lifecycle/report.js';
import {
  INSTANCE_STATE_CHANGE,
  type InstanceVersion,
  instanceVersionOf,
  TASK_STATE_CHANGE,
  type TaskVersion,
  taskVersionOf,
} from '../domain/lifecycle/versions.js';
import { parseEvent } from '../domain/parseEvent.js';
import { type ServiceLogEvent, toServiceLogEvent } from '../domain/serviceEvents.js';
import { hexId, pick, type Random, randomInt } from './random.js';
import { deploymentChange, generateDeploymentId, type ServiceRef } from './serviceWorkload.js';

/**
 * A generated incident-review window for the lifecycle report: services that deploy new task
 * definition revisions (one rolled back by the circuit breaker), tasks with real pull and start
 * timestamps (a slower pull on new revisions, some pulls that fail), tasks that exit, are replaced
 * or interrupted, and EC2 container instances that drain or lose their agent for a while.
 * Seeded: the same seed and start give the same events. Times are relative to `startMs`.
 */
export interface LifecycleWorkloadOptions {
  /** Start of the generated period, epoch ms (tests use a time shortly before now). */
  readonly startMs: number;
  readonly spanMs: number;
  readonly tasks: number;
  readonly instances?: number;
  /** Share of the span before startMs in which tasks may already be created (default 0.1). */
  readonly earlyShare?: number;
  readonly cluster?: string;
  readonly region?: string;
  readonly account?: string;
}

export interface LifecycleWorkload {
  readonly events: EcsEvent[];
  readonly clusterArn: string;
  readonly serviceArns: readonly string[];
}

const SERVICES = [
  { name: 'web', image: 'web', pullMs: [4_000, 18_000] },
  { name: 'api', image: 'api', pullMs: [6_000, 30_000] },
  { name: 'worker', image: 'worker', pullMs: [10_000, 60_000] },
] as const;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

const envelopeTime = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const uuid = (rng: Random) => `${hexId(rng, 8)}-${hexId(rng, 4)}-4${hexId(rng, 3)}-a${hexId(rng, 3)}-${hexId(rng, 12)}`;

/** A duration with a long right tail, as pulls and placements have: most short, a few slow. */
const skewed = (rng: Random, min: number, max: number): number => Math.round(min + (max - min) * rng() ** 3);

type Ending =
  | { kind: 'running' }
  | { kind: 'exited'; exitCode: number; reason?: string }
  | { kind: 'replaced'; by: string }
  | { kind: 'spot' }
  | { kind: 'pullFailed' }
  | { kind: 'user' };

interface Deploy {
  readonly id: string;
  readonly revision: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly failed: boolean;
}

export function generateLifecycleWorkload(rng: Random, options: LifecycleWorkloadOptions): LifecycleWorkload {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '111122223333';
  const cluster = options.cluster ?? 'prod';
  const arn = (type: string, id: string) => `arn:aws:ecs:${region}:${account}:${type}/${id}`;
  const clusterArn = arn('cluster', cluster);
  const { startMs, spanMs } = options;
  const endMs = startMs + spanMs;
  const events: EcsEvent[] = [];
  const push = (detailType: string, timeMs: number, resource: string, detail: Record<string, unknown>) =>
    events.push({
      version: '0',
      id: uuid(rng),
      'detail-type': detailType as EcsEvent['detail-type'],
      source: 'aws.ecs',
      account,
      time: envelopeTime(timeMs),
      region,
      resources: [resource],
      detail,
    });

  // Container instances: registered before the window; one drains and leaves, one loses its agent.
  const instances = Array.from({ length: options.instances ?? 4 }, (_, i) => ({
    arn: arn('container-instance', `${cluster}/${hexId(rng, 32)}`),
    ec2: `i-0${hexId(rng, 16)}`,
    index: i,
  }));
  for (const inst of instances) {
    let version = 0;
    const change = (t: number, status: string, agentConnected: boolean) =>
      push('ECS Container Instance State Change', t, inst.arn, {
        agentConnected,
        clusterArn,
        containerInstanceArn: inst.arn,
        ec2InstanceId: inst.ec2,
        status,
        version: ++version,
        registeredResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 4096 }],
        remainingResources: [{ name: 'CPU', type: 'INTEGER', integerValue: randomInt(rng, 0, 4096) }],
        versionInfo: { agentVersion: '1.88.0', agentHash: 'abcdef1', dockerVersion: 'DockerVersion: 25.0.3' },
        updatedAt: iso(t),
      });
    const registered = startMs - randomInt(rng, 10 * MINUTE, 50 * MINUTE);
    change(registered, 'REGISTERING', false);
    change(registered + randomInt(rng, 20 * SECOND, 90 * SECOND), 'ACTIVE', true);
    if (inst.index === 1) {
      const lost = startMs + Math.floor(spanMs * 0.35);
      change(lost, 'ACTIVE', false);
      change(lost + randomInt(rng, 2 * MINUTE, 6 * MINUTE), 'ACTIVE', true);
    }
    if (inst.index === 2) {
      const drain = startMs + Math.floor(spanMs * 0.6);
      change(drain, 'DRAINING', true);
      change(drain + randomInt(rng, 5 * MINUTE, 10 * MINUTE), 'INACTIVE', false);
    }
  }
  const drainedAt = startMs + Math.floor(spanMs * 0.6);

  // Deployments: each service moves to a new revision once; the api's second one fails and is rolled back.
  const deploys = new Map<string, Deploy[]>();
  const serviceRefs: ServiceRef[] = SERVICES.map((s) => ({
    serviceArn: arn('service', `${cluster}/${s.name}`),
    clusterArn,
    region,
    account,
  }));
  SERVICES.forEach((s, i) => {
    const ref = serviceRefs[i] as ServiceRef;
    const base = randomInt(rng, 3, 40);
    const initial: Deploy = {
      id: generateDeploymentId(rng),
      revision: base,
      startMs: startMs - 3 * 3_600_000,
      endMs: startMs - 3 * 3_600_000 + 5 * MINUTE,
      failed: false,
    };
    const at = startMs + Math.floor(spanMs * (0.2 + 0.25 * i));
    const next: Deploy = {
      id: generateDeploymentId(rng),
      revision: base + 1,
      startMs: at,
      endMs: at + randomInt(rng, 4 * MINUTE, 9 * MINUTE),
      failed: false,
    };
    const list = [initial, next];
    const msg = (id: string, what: string) => `ECS deployment ${id} ${what}.`;
    for (const d of [initial, next]) {
      events.push(
        deploymentChange(rng, ref, d.startMs, d.id, 'SERVICE_DEPLOYMENT_IN_PROGRESS', msg(d.id, 'in progress')),
      );
      events.push(deploymentChange(rng, ref, d.endMs, d.id, 'SERVICE_DEPLOYMENT_COMPLETED', msg(d.id, 'completed')));
    }
    if (s.name === 'api') {
      const failAt = next.endMs + Math.floor(spanMs * 0.15);
      const bad: Deploy = {
        id: generateDeploymentId(rng),
        revision: base + 2,
        startMs: failAt,
        endMs: failAt + randomInt(rng, 6 * MINUTE, 10 * MINUTE),
        failed: true,
      };
      const reason = `ECS deployment circuit breaker: rolling back to deploymentId ${next.id}.`;
      events.push(
        deploymentChange(rng, ref, bad.startMs, bad.id, 'SERVICE_DEPLOYMENT_IN_PROGRESS', msg(bad.id, 'in progress')),
        deploymentChange(rng, ref, bad.endMs, bad.id, 'SERVICE_DEPLOYMENT_FAILED', reason),
        deploymentChange(rng, ref, bad.endMs + 5 * SECOND, next.id, 'SERVICE_DEPLOYMENT_IN_PROGRESS', reason),
        deploymentChange(
          rng,
          ref,
          bad.endMs + 4 * MINUTE,
          next.id,
          'SERVICE_DEPLOYMENT_COMPLETED',
          msg(next.id, 'completed'),
        ),
      );
      list.push(bad, { ...next, startMs: bad.endMs + 5 * SECOND, endMs: bad.endMs + 4 * MINUTE });
    }
    deploys.set(s.name, list);
  });

  /** The deployment whose tasks a task created at `t` belongs to: the latest started before it. */
  const deploymentAt = (service: string, t: number): Deploy => {
    const list = (deploys.get(service) as Deploy[]).filter((d) => d.startMs <= t);
    return list.reduce((a, b) => (b.startMs > a.startMs ? b : a));
  };

  for (let n = 0; n < options.tasks; n++) {
    const s = pick(rng, SERVICES);
    const early = options.earlyShare ?? 0.1;
    const inWindow = (deploys.get(s.name) as Deploy[]).filter((d) => d.startMs >= startMs);
    // A deployment starts its new tasks in a burst; the rest are replacements and scaling.
    const burst = inWindow.length > 0 && rng() < 0.3 ? pick(rng, inWindow) : undefined;
    const created = burst
      ? burst.startMs + Math.floor(rng() * (burst.endMs - burst.startMs))
      : startMs - Math.floor(spanMs * early) + Math.floor(rng() * spanMs * (0.95 + early));
    const deploy = deploymentAt(s.name, created);
    const fargate = rng() < 0.6 || instances.length === 0;
    const liveInstances = instances.filter((i) => i.index !== 2 || created < drainedAt - MINUTE);
    const inst = fargate ? undefined : pick(rng, liveInstances);
    const taskArn = arn('task', `${cluster}/${hexId(rng, 32)}`);
    const taskDefinitionArn = arn('task-definition', `${s.name}:${deploy.revision}`);
    const image = `${account}.dkr.ecr.${region}.amazonaws.com/${s.image}:${deploy.revision}`;
    const containerArn = arn('container', `${cluster}/${hexId(rng, 32)}`);
    // A new revision's image is not cached yet: its first pulls are slower.
    const slow = deploy.startMs > startMs ? 1.6 : 1;
    const pullStarted = created + skewed(rng, 1_500, fargate ? 25_000 : 8_000);
    const pullStopped = pullStarted + Math.round(skewed(rng, s.pullMs[0], s.pullMs[1]) * slow);
    const started = pullStopped + randomInt(rng, 400, 4_000);
    const r = rng();
    let ending: Ending = deploy.failed
      ? rng() < 0.5
        ? { kind: 'pullFailed' }
        : { kind: 'exited', exitCode: 1, reason: 'Error: connect ECONNREFUSED 10.0.3.17:5432' }
      : r < 0.04
        ? { kind: 'pullFailed' }
        : r < 0.1
          ? { kind: 'exited', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }
          : r < 0.14
            ? { kind: 'exited', exitCode: 1 }
            : r < 0.2
              ? { kind: 'replaced', by: deploy.id }
              : r < 0.24 && fargate
                ? { kind: 'spot' }
                : r < 0.26
                  ? { kind: 'user' }
                  : { kind: 'running' };
    const lifetime = ending.kind === 'exited' ? skewed(rng, 30 * SECOND, 20 * MINUTE) : skewed(rng, 5 * MINUTE, spanMs);
    let stopAt =
      ending.kind === 'pullFailed' ? pullStarted + randomInt(rng, 20 * SECOND, 90 * SECOND) : started + lifetime;
    // The next revision's deployment replaces the tasks of this one that still run by then.
    const successor = (deploys.get(s.name) as Deploy[]).find(
      (d) => d.startMs > created && d.revision !== deploy.revision && !d.failed,
    );
    if (successor && ending.kind !== 'pullFailed' && (ending.kind === 'running' || stopAt > successor.startMs)) {
      const at = successor.startMs + 30 * SECOND + Math.floor(rng() * (successor.endMs - successor.startMs));
      if (at > started) {
        ending = { kind: 'replaced', by: successor.id };
        stopAt = at;
      }
    }
    const stops = ending.kind !== 'running' && stopAt < endMs + 10 * MINUTE;

    let version = 0;
    const pulled = ending.kind !== 'pullFailed';
    const task = (t: number, lastStatus: string, extra: Record<string, unknown>, container: Record<string, unknown>) =>
      push('ECS Task State Change', t, taskArn, {
        attachments: fargate ? [{ id: uuid(rng), type: 'eni', status: 'ATTACHED', details: [] }] : [],
        availabilityZone: `${region}${pick(rng, ['a', 'b', 'c'])}`,
        clusterArn,
        containers: [
          { containerArn, name: s.name, taskArn, image, lastStatus: 'PENDING', cpu: '0', ...container },
          ...(s.name === 'web'
            ? [
                {
                  containerArn: `${containerArn}-envoy`,
                  name: 'envoy',
                  taskArn,
                  image: 'envoyproxy/envoy:v1.31',
                  lastStatus: container.lastStatus ?? 'PENDING',
                },
              ]
            : []),
        ],
        cpu: '512',
        memory: '1024',
        createdAt: iso(created),
        desiredStatus: extra.desiredStatus ?? 'RUNNING',
        group: `service:${s.name}`,
        launchType: fargate ? 'FARGATE' : 'EC2',
        ...(fargate
          ? { platformVersion: '1.4.0', capacityProviderName: ending.kind === 'spot' ? 'FARGATE_SPOT' : 'FARGATE' }
          : {}),
        ...(inst ? { containerInstanceArn: inst.arn } : {}),
        lastStatus,
        overrides: { containerOverrides: [{ name: s.name }] },
        startedBy: deploy.id,
        taskArn,
        taskDefinitionArn,
        updatedAt: iso(t),
        version: ++version,
        ...extra,
      });
    const pullTimes = pulled ? { pullStartedAt: iso(pullStarted), pullStoppedAt: iso(pullStopped) } : {};
    if (fargate) task(created, 'PROVISIONING', {}, {});
    task(created + (fargate ? randomInt(rng, 800, 1_400) : 200), 'PENDING', {}, {});
    if (fargate && pulled) task(pullStopped, 'ACTIVATING', pullTimes, {});
    const running = pulled && (!stops || stopAt > started);
    if (running && started < endMs + 10 * MINUTE) {
      task(
        started,
        'RUNNING',
        { ...pullTimes, startedAt: iso(started), connectivityAt: iso(created + 900) },
        { lastStatus: 'RUNNING', runtimeId: hexId(rng, 64) },
      );
    }
    if (!stops) continue;
    const why =
      ending.kind === 'pullFailed'
        ? {
            stopCode: 'TaskFailedToStart',
            stoppedReason:
              'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref',
          }
        : ending.kind === 'exited'
          ? { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }
          : ending.kind === 'replaced'
            ? {
                stopCode: 'ServiceSchedulerInitiated',
                stoppedReason: `Scaling activity initiated by (deployment ${ending.by})`,
              }
            : ending.kind === 'spot'
              ? { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' }
              : { stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' };
    const exitCode =
      ending.kind === 'exited'
        ? ending.exitCode
        : ending.kind === 'pullFailed'
          ? undefined
          : ending.kind === 'replaced'
            ? 0
            : 143;
    const containerReason =
      ending.kind === 'pullFailed'
        ? `CannotPullContainerError: pull access denied for ${image}`
        : ending.kind === 'exited'
          ? ending.reason
          : undefined;
    const stopping = stopAt;
    const base = { ...pullTimes, ...(running ? { startedAt: iso(started) } : {}), desiredStatus: 'STOPPED', ...why };
    if (fargate) {
      task(
        stopping,
        'DEACTIVATING',
        { ...base, stoppingAt: iso(stopping) },
        { lastStatus: running ? 'RUNNING' : 'PENDING' },
      );
      task(
        stopping + randomInt(rng, 500, 3_000),
        'STOPPING',
        { ...base, stoppingAt: iso(stopping) },
        { lastStatus: 'STOPPED' },
      );
      task(
        stopping + randomInt(rng, 4_000, 9_000),
        'DEPROVISIONING',
        { ...base, stoppingAt: iso(stopping), executionStoppedAt: iso(stopping + 3_500) },
        {
          lastStatus: 'STOPPED',
          ...(exitCode !== undefined && { exitCode }),
          ...(containerReason && { reason: containerReason }),
        },
      );
    }
    const stoppedAt = stopping + randomInt(rng, fargate ? 12_000 : 1_000, fargate ? 40_000 : 6_000);
    task(
      stoppedAt,
      'STOPPED',
      { ...base, stoppingAt: iso(stopping), executionStoppedAt: iso(stopping + 3_500), stoppedAt: iso(stoppedAt) },
      {
        lastStatus: 'STOPPED',
        ...(exitCode !== undefined && { exitCode }),
        ...(containerReason && { reason: containerReason }),
      },
    );
  }
  return { events, clusterArn, serviceArns: serviceRefs.map((r) => r.serviceArn) };
}

/** The log items the events become, as the report's reader would hand them over (pure: no DynamoDB; for tests and the benchmark). */
export function lifecycleInputOf(events: readonly EcsEvent[]): LifecycleInput {
  const input = {
    tasks: [] as TaskVersion[],
    instances: [] as InstanceVersion[],
    health: [],
    deploymentEvents: [] as ServiceLogEvent[],
  };
  for (const e of events) {
    const parsed = parseEvent(e, { redactEnvironment: true });
    if (!parsed.ok) throw new InternalError(`generated event refused: ${parsed.rejection.message}`);
    const p = parsed.value;
    const item: StoredEvent = {
      arn: p.arn,
      version: p.version,
      detailType: p.detailType,
      eventTime: p.eventTime,
      eventId: p.eventId,
      event: JSON.stringify(p.event),
    };
    if (p.detailType === TASK_STATE_CHANGE) input.tasks.push(taskVersionOf(item));
    else if (p.detailType === INSTANCE_STATE_CHANGE) input.instances.push(instanceVersionOf(item));
    else {
      const s = toServiceLogEvent(item);
      if (s) input.deploymentEvents.push(s);
    }
  }
  return input;
}
