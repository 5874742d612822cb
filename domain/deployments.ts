import type { TimeWindow } from './audit/window.js';
import { compareServiceEvents, DEPLOYMENT_STATE_CHANGE, detailString, type ServiceLogEvent } from './serviceEvents.js';

/**
 * The deployment audit of one service, rebuilt from its `ECS Deployment State Change` events.
 *
 * ECS names each deployment `ecs-svc/<19 digits>`; the digits exceed 2^53, so a deploymentId is
 * only ever handled as a string. With the circuit breaker and rollback on, a failing deployment
 * ends in SERVICE_DEPLOYMENT_FAILED whose reason names the deployment the service returns to
 * ("ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/…"), and that earlier
 * deployment then runs again (IN_PROGRESS → COMPLETED). Each run of a deployment is one entry, so
 * the rollback shows as its own entry (rollbackOf) with its own start, end and duration.
 */
export type DeploymentOutcome = 'in progress' | 'completed' | 'failed' | 'rolled back';

export interface DeploymentStateChange {
  /** Envelope time, epoch ms. */
  readonly eventTime: number;
  readonly eventName: string | undefined;
  readonly eventType: string | undefined;
  readonly reason: string | undefined;
  /** `detail.updatedAt` as ECS sent it. */
  readonly updatedAt: string | undefined;
  readonly eventId: string | undefined;
  /** Log version of the event, to find it with `history`. */
  readonly version: number;
}

export interface Deployment {
  readonly serviceArn: string;
  readonly deploymentId: string;
  /** Time of the run's first state change, epoch ms. */
  readonly startTime: number;
  /** Time of the run's COMPLETED or FAILED change; undefined while in progress. */
  readonly endTime: number | undefined;
  readonly durationMs: number | undefined;
  readonly outcome: DeploymentOutcome;
  /** The deployment the circuit breaker rolled the service back to, for a rolled-back run. */
  readonly rolledBackTo: string | undefined;
  /** For a run that is the rollback of a failed deployment: that deployment. */
  readonly rollbackOf: string | undefined;
  /** Reason of the change that decided the outcome (the last one while in progress). */
  readonly reason: string | undefined;
  /** The run's state changes in time order. */
  readonly changes: readonly DeploymentStateChange[];
}

export const IN_PROGRESS = 'SERVICE_DEPLOYMENT_IN_PROGRESS';
export const COMPLETED = 'SERVICE_DEPLOYMENT_COMPLETED';
export const FAILED = 'SERVICE_DEPLOYMENT_FAILED';

const ROLLBACK = /rolling back to deploymentId\s+([\w/-]+)/i;

/**
 * The deployment a circuit-breaker reason rolls back to, or undefined. The id ends at the first
 * character that cannot be part of one (the sentence's full stop).
 */
export function rollbackTarget(reason: string | undefined): string | undefined {
  return reason === undefined ? undefined : ROLLBACK.exec(reason)?.[1];
}

interface Run {
  readonly deploymentId: string;
  readonly serviceArn: string;
  readonly changes: DeploymentStateChange[];
  outcome: DeploymentOutcome;
  endTime: number | undefined;
  decidingReason: string | undefined;
  rolledBackTo: string | undefined;
  rollbackOf: string | undefined;
}

const toChange = (e: ServiceLogEvent): DeploymentStateChange => ({
  eventTime: e.eventTime,
  eventName: detailString(e, 'eventName'),
  eventType: detailString(e, 'eventType'),
  reason: detailString(e, 'reason'),
  updatedAt: detailString(e, 'updatedAt'),
  eventId: e.eventId,
  version: e.version,
});

/**
 * Rebuilds the deployments of one service from its log events (any order, any mix of types; other
 * types and deployment events without a deploymentId are ignored). Returns the runs in start order.
 */
export function reconstructDeployments(events: Iterable<ServiceLogEvent>): Deployment[] {
  const sorted = [...events]
    .filter((e) => e.detailType === DEPLOYMENT_STATE_CHANGE && detailString(e, 'deploymentId'))
    .sort(compareServiceEvents);
  const runs: Run[] = [];
  const current = new Map<string, Run>();
  /** Failed runs whose rollback run has not been seen yet, oldest first. */
  const awaitingRollback: Run[] = [];

  for (const e of sorted) {
    const deploymentId = detailString(e, 'deploymentId') as string;
    const change = toChange(e);
    const target = rollbackTarget(change.reason);
    let run = current.get(deploymentId);
    // A deployment that already ended and is IN_PROGRESS again runs a second time (a rollback to it).
    if (!run || (run.outcome !== 'in progress' && change.eventName === IN_PROGRESS)) {
      run = {
        deploymentId,
        serviceArn: e.arn,
        changes: [],
        outcome: 'in progress',
        endTime: undefined,
        decidingReason: undefined,
        rolledBackTo: undefined,
        rollbackOf: undefined,
      };
      runs.push(run);
      current.set(deploymentId, run);
      linkRollback(run, target, awaitingRollback);
    }
    run.changes.push(change);
    if (change.eventName === COMPLETED) {
      run.outcome = 'completed';
      run.endTime = change.eventTime;
      run.decidingReason = change.reason;
    } else if (change.eventName === FAILED) {
      const to = target !== undefined && target !== deploymentId ? target : undefined;
      run.outcome = to ? 'rolled back' : 'failed';
      run.rolledBackTo = to;
      run.endTime = change.eventTime;
      run.decidingReason = change.reason;
      if (!awaitingRollback.includes(run)) awaitingRollback.push(run);
    } else if (run.outcome === 'in progress') {
      run.decidingReason = change.reason;
    }
  }

  return runs.map((r) => {
    const startTime = (r.changes[0] as DeploymentStateChange).eventTime;
    return {
      serviceArn: r.serviceArn,
      deploymentId: r.deploymentId,
      startTime,
      endTime: r.endTime,
      durationMs: r.endTime === undefined ? undefined : r.endTime - startTime,
      outcome: r.outcome,
      rolledBackTo: r.rolledBackTo,
      rollbackOf: r.rollbackOf,
      reason: r.decidingReason,
      changes: r.changes,
    };
  });
}

/**
 * Links a new run to the failed run it rolls back, if it is one: the most recent failed run whose
 * reason named this deployment as the target, or, when the failure's reason named none (for example
 * "task failed to start"), the most recent failed run before a new run whose own reason is a
 * circuit-breaker rollback.
 */
function linkRollback(run: Run, target: string | undefined, awaiting: Run[]): void {
  for (let i = awaiting.length - 1; i >= 0; i--) {
    const failed = awaiting[i] as Run;
    if (failed.deploymentId === run.deploymentId) continue;
    const named = failed.rolledBackTo === run.deploymentId;
    const implied = failed.rolledBackTo === undefined && target !== undefined && target !== failed.deploymentId;
    if (!named && !implied) continue;
    if (implied) {
      failed.rolledBackTo = target;
      failed.outcome = 'rolled back';
    }
    run.rollbackOf = failed.deploymentId;
    awaiting.splice(i, 1);
    return;
  }
}

/**
 * How far before `--since` the audit reads, so that a deployment already under way at `--since`
 * shows its real start (and a rollback run its failed deployment). ECS deployments take minutes to
 * hours; one that started more than this before the window shows from its first change read.
 */
export const DEPLOYMENT_LOOKBACK_MS = 24 * 3_600_000;

/**
 * Whether a run overlaps [sinceMs, untilMs): it started before the window ends and had not ended
 * before it began. Runs are rebuilt from events before `untilMs` only, so "in progress" means
 * "in progress as of the end of the window".
 */
export function overlapsWindow(d: Deployment, window: TimeWindow): boolean {
  return (
    (window.untilMs === undefined || d.startTime < window.untilMs) &&
    (window.sinceMs === undefined || d.endTime === undefined || d.endTime >= window.sinceMs)
  );
}

/** `SERVICE_DEPLOYMENT_COMPLETED` → `COMPLETED`: a deployment state change's name as a table shows it. */
export const deploymentStep = (eventName: string | undefined): string =>
  (eventName ?? '?').replace(/^SERVICE_DEPLOYMENT_/, '');
