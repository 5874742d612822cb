import type { EcsEvent } from '../domain/eventTypes.js';
import { DEFAULT_SPAN_MS, recentStart } from './clock.js';
import { hexId, pick, type Random, randomInt } from './random.js';
import { stampsReached } from './taskStamps.js';

/**
 * Generated `ECS Service Action` and `ECS Deployment State Change` events for the services of a
 * generated estate (the same cluster and service names as sim/clusterWorkload.ts): steady states,
 * deployments that complete, and circuit-breaker rollbacks with the placement failures,
 * start-impaired warnings and failing tasks (task events) that come before them.
 */
export interface ServiceWorkloadOptions {
  /** Services per cluster (names from web, api, worker, cron). */
  readonly servicesPerCluster?: number;
  readonly clusters?: number;
  /** Share of services that get a failed deployment rolled back by the circuit breaker. */
  readonly rollbackShare?: number;
  /** Add one service with an old-format `service/<name>` ARN (its deployments name no cluster). */
  readonly legacyService?: boolean;
  /** Start of the generated period, epoch ms; by default it ends an hour before now (sim/clock.ts). */
  readonly startMs?: number;
  readonly spanMs?: number;
  readonly region?: string;
  readonly account?: string;
}

const SERVICE_NAMES = ['web', 'api', 'worker', 'cron'] as const;

const MINUTE = 60_000;

/** `ecs-svc/` and 19 digits, above 2^53 like the real ones: only ever a string. */
export const generateDeploymentId = (rng: Random): string =>
  `ecs-svc/92233${Array.from({ length: 14 }, () => randomInt(rng, 0, 9)).join('')}`;

const eventId = (rng: Random): string =>
  `${hexId(rng, 8)}-${hexId(rng, 4)}-4${hexId(rng, 3)}-a${hexId(rng, 3)}-${hexId(rng, 12)}`;

/** Envelope `time` has whole seconds; the detail times keep milliseconds. */
const envelopeTime = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export interface ServiceRef {
  readonly serviceArn: string;
  /** The cluster of the service (service actions carry it; deployment events do not). */
  readonly clusterArn: string;
  readonly region: string;
  readonly account: string;
}

export function serviceAction(
  rng: Random,
  service: ServiceRef,
  timeMs: number,
  eventType: 'INFO' | 'WARN' | 'ERROR',
  eventName: string,
  extra: Record<string, unknown> = {},
): EcsEvent {
  return {
    version: '0',
    id: eventId(rng),
    'detail-type': 'ECS Service Action',
    source: 'aws.ecs',
    account: service.account,
    time: envelopeTime(timeMs),
    region: service.region,
    resources: [service.serviceArn],
    detail: {
      eventType,
      eventName,
      clusterArn: service.clusterArn,
      createdAt: new Date(timeMs).toISOString(),
      ...extra,
    },
  };
}

export function deploymentChange(
  rng: Random,
  service: ServiceRef,
  timeMs: number,
  deploymentId: string,
  eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS' | 'SERVICE_DEPLOYMENT_COMPLETED' | 'SERVICE_DEPLOYMENT_FAILED',
  reason: string,
): EcsEvent {
  return {
    version: '0',
    id: eventId(rng),
    'detail-type': 'ECS Deployment State Change',
    source: 'aws.ecs',
    account: service.account,
    time: envelopeTime(timeMs),
    region: service.region,
    resources: [service.serviceArn],
    detail: {
      eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
      eventName,
      deploymentId,
      updatedAt: new Date(timeMs).toISOString(),
      reason,
    },
  };
}

/** A deployment that starts at `startMs` and completes; returns its events and end time. */
function completedDeployment(
  rng: Random,
  service: ServiceRef,
  startMs: number,
  deploymentId: string,
): { events: EcsEvent[]; endMs: number } {
  const endMs = startMs + randomInt(rng, 2 * MINUTE, 9 * MINUTE);
  return {
    endMs,
    events: [
      deploymentChange(
        rng,
        service,
        startMs,
        deploymentId,
        'SERVICE_DEPLOYMENT_IN_PROGRESS',
        `ECS deployment ${deploymentId} in progress.`,
      ),
      deploymentChange(
        rng,
        service,
        endMs,
        deploymentId,
        'SERVICE_DEPLOYMENT_COMPLETED',
        `ECS deployment ${deploymentId} completed.`,
      ),
      serviceAction(rng, service, endMs + randomInt(rng, 1_000, 30_000), 'INFO', 'SERVICE_STEADY_STATE'),
    ],
  };
}

/**
 * Tasks the failing deployment started (startedBy = its deploymentId) that never became healthy:
 * half fail to start, half start and exit. Puts the deployment's task churn on the same timeline.
 */
function failingTasks(
  rng: Random,
  service: ServiceRef,
  deploymentId: string,
  fromMs: number,
  toMs: number,
  count: number,
): EcsEvent[] {
  const cluster = service.clusterArn.slice(service.clusterArn.indexOf(':cluster/') + 9);
  const name = service.serviceArn.slice(service.serviceArn.lastIndexOf('/') + 1);
  const arn = (type: string, id: string) => `arn:aws:ecs:${service.region}:${service.account}:${type}/${id}`;
  const events: EcsEvent[] = [];
  for (let n = 0; n < count; n++) {
    const taskArn = arn('task', `${cluster}/${hexId(rng, 32)}`);
    const created = fromMs + Math.floor(((toMs - fromMs) * n) / count);
    const pullFailure = n % 2 === 0;
    const path = pullFailure
      ? ['PROVISIONING', 'PENDING', 'STOPPED']
      : ['PROVISIONING', 'PENDING', 'RUNNING', 'STOPPED'];
    let t = created;
    const stamps: Record<string, string> = {};
    path.forEach((lastStatus, i) => {
      const previous = t;
      t += randomInt(rng, 2_000, 40_000);
      Object.assign(stamps, stampsReached(lastStatus, path, previous, t, stamps));
      const stopped = lastStatus === 'STOPPED';
      const container: Record<string, unknown> = {
        containerArn: arn('container', `${cluster}/${hexId(rng, 32)}`),
        name,
        taskArn,
        lastStatus: stopped ? 'STOPPED' : lastStatus === 'RUNNING' ? 'RUNNING' : 'PENDING',
      };
      if (stopped && !pullFailure) container.exitCode = 1;
      if (stopped && pullFailure) container.reason = 'CannotPullContainerError: manifest for web:v2 not found';
      const detail: Record<string, unknown> = {
        clusterArn: service.clusterArn,
        containers: [container],
        createdAt: new Date(created).toISOString(),
        desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
        group: `service:${name}`,
        launchType: 'FARGATE',
        lastStatus,
        overrides: { containerOverrides: [{ name }] },
        startedBy: deploymentId,
        taskArn,
        taskDefinitionArn: arn('task-definition', `${name}:2`),
        cpu: '256',
        memory: '512',
        updatedAt: new Date(t).toISOString(),
        version: i + 1,
      };
      if (stopped) {
        Object.assign(
          detail,
          pullFailure
            ? {
                stopCode: 'TaskFailedToStart',
                stoppedReason: 'CannotPullContainerError: pull image manifest has been retried',
              }
            : { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' },
        );
      }
      Object.assign(detail, stamps);
      events.push({
        version: '0',
        id: eventId(rng),
        'detail-type': 'ECS Task State Change',
        source: 'aws.ecs',
        account: service.account,
        time: envelopeTime(t),
        region: service.region,
        resources: [taskArn],
        detail,
      });
    });
  }
  return events;
}

export interface RollbackStory {
  readonly events: EcsEvent[];
  /** The deployment that was running before and that the service is rolled back to. */
  readonly previous: string;
  /** The deployment that failed. */
  readonly failed: string;
  readonly failedAtMs: number;
}

/**
 * A circuit-breaker rollback: `previous` completes; `failed` starts, its tasks cannot be placed or
 * start (their task events included), it fails with "rolling back to deploymentId <previous>", and `previous` runs again to
 * completion.
 */
export function rollbackStory(rng: Random, service: ServiceRef, startMs: number): RollbackStory {
  const previous = generateDeploymentId(rng);
  const failed = generateDeploymentId(rng);
  const first = completedDeployment(rng, service, startMs, previous);
  const failStart = first.endMs + randomInt(rng, 10 * MINUTE, 40 * MINUTE);
  const impaired = failStart + randomInt(rng, MINUTE, 3 * MINUTE);
  const failedAtMs = impaired + randomInt(rng, 5 * MINUTE, 12 * MINUTE);
  const rollbackStart = failedAtMs + randomInt(rng, 1_000, 20_000);
  const rollbackEnd = rollbackStart + randomInt(rng, 2 * MINUTE, 6 * MINUTE);
  const rollbackReason = `ECS deployment circuit breaker: rolling back to deploymentId ${previous}.`;
  return {
    previous,
    failed,
    failedAtMs,
    events: [
      ...first.events,
      deploymentChange(
        rng,
        service,
        failStart,
        failed,
        'SERVICE_DEPLOYMENT_IN_PROGRESS',
        `ECS deployment ${failed} in progress.`,
      ),
      serviceAction(
        rng,
        service,
        failStart + randomInt(rng, 5_000, 50_000),
        'ERROR',
        'SERVICE_TASK_PLACEMENT_FAILURE',
        {
          reason: pick(rng, ['RESOURCE:CPU', 'RESOURCE:MEMORY', 'RESOURCE:FARGATE']),
        },
      ),
      serviceAction(rng, service, impaired, 'WARN', 'SERVICE_TASK_START_IMPAIRED'),
      ...failingTasks(rng, service, failed, failStart, failedAtMs - 2 * MINUTE, 4),
      deploymentChange(rng, service, failedAtMs, failed, 'SERVICE_DEPLOYMENT_FAILED', rollbackReason),
      deploymentChange(rng, service, rollbackStart, previous, 'SERVICE_DEPLOYMENT_IN_PROGRESS', rollbackReason),
      deploymentChange(
        rng,
        service,
        rollbackEnd,
        previous,
        'SERVICE_DEPLOYMENT_COMPLETED',
        `ECS deployment ${previous} completed.`,
      ),
      serviceAction(rng, service, rollbackEnd + randomInt(rng, 1_000, 30_000), 'INFO', 'SERVICE_STEADY_STATE'),
    ],
  };
}

/** Two distinct service actions in the same millisecond (they must both reach the log). */
export function sameMillisecondPair(rng: Random, service: ServiceRef, timeMs: number): EcsEvent[] {
  return [
    serviceAction(rng, service, timeMs, 'INFO', 'SERVICE_STEADY_STATE'),
    serviceAction(rng, service, timeMs, 'INFO', 'CAPACITY_PROVIDER_STEADY_STATE', {
      capacityProviderArns: [`arn:aws:ecs:${service.region}:${service.account}:capacity-provider/FARGATE`],
    }),
  ];
}

export function generateServiceWorkload(rng: Random, options: ServiceWorkloadOptions = {}): EcsEvent[] {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '111122223333';
  const span = options.spanMs ?? DEFAULT_SPAN_MS;
  const start = options.startMs ?? recentStart(span);
  const perCluster = Math.min(options.servicesPerCluster ?? 2, SERVICE_NAMES.length);
  const clusterNames = Array.from({ length: options.clusters ?? 2 }, (_, i) => (i === 0 ? 'prod' : `cluster-${i}`));
  const services: ServiceRef[] = clusterNames.flatMap((cluster) =>
    SERVICE_NAMES.slice(0, perCluster).map((name) => ({
      serviceArn: `arn:aws:ecs:${region}:${account}:service/${cluster}/${name}`,
      clusterArn: `arn:aws:ecs:${region}:${account}:cluster/${cluster}`,
      region,
      account,
    })),
  );
  if (options.legacyService ?? true) {
    services.push({
      serviceArn: `arn:aws:ecs:${region}:${account}:service/legacy`,
      clusterArn: `arn:aws:ecs:${region}:${account}:cluster/${clusterNames[0]}`,
      region,
      account,
    });
  }
  const events: EcsEvent[] = [];
  services.forEach((service, i) => {
    let t = start + Math.floor(rng() * span * 0.1);
    // The first service always gets the rollback story, so every workload shows one.
    if (i === 0 || rng() < (options.rollbackShare ?? 0.3)) {
      const story = rollbackStory(rng, service, t);
      events.push(...story.events);
      t = story.failedAtMs + 30 * MINUTE;
    } else {
      const done = completedDeployment(rng, service, t, generateDeploymentId(rng));
      events.push(...done.events);
      t = done.endMs + 30 * MINUTE;
    }
    events.push(...sameMillisecondPair(rng, service, t));
    for (
      t += randomInt(rng, 20 * MINUTE, 60 * MINUTE);
      t < start + span;
      t += randomInt(rng, 40 * MINUTE, 90 * MINUTE)
    ) {
      events.push(serviceAction(rng, service, t, 'INFO', 'SERVICE_STEADY_STATE'));
    }
  });
  return events;
}
