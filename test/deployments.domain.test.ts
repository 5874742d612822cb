import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconstructDeployments, rollbackTarget } from '../domain/deployments.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent } from '../domain/parseEvent.js';
import { type ServiceLogEvent, toServiceLogEvent } from '../domain/serviceEvents.js';
import { seededRandom, shuffle } from '../sim/random.js';
import { loadSamples } from '../sim/samples.js';
import {
  deploymentChange,
  generateDeploymentId,
  rollbackStory,
  type ServiceRef,
  serviceAction,
} from '../sim/serviceWorkload.js';

const SERVICE: ServiceRef = {
  serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
  clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
  region: 'eu-west-1',
  account: '123456789012',
};
const T0 = Date.UTC(2026, 10, 3, 14, 0, 0);

/** The log item an event becomes, read back as the deployment audit sees it (pure: no DynamoDB here). */
function asLogged(event: unknown): ServiceLogEvent {
  const parsed = parseEvent(event, { redactEnvironment: true });
  if (!parsed.ok) throw new Error(parsed.rejection.message);
  const logged = toServiceLogEvent(toLogItem(parsed.value, { ingestedAt: 0, ingestId: 'x' }));
  if (!logged) throw new Error('not a service event');
  return logged;
}

/** The story's service and deployment events (it also holds the failing deployment's task events). */
const serviceEventsOf = (events: EcsEvent[]) => events.filter((e) => e['detail-type'] !== 'ECS Task State Change');

const params = { seed: 8_2026, numRuns: 100 };

describe('rollbackTarget', () => {
  it('reads the target deployment out of the circuit-breaker reason, digits intact', () => {
    expect(
      rollbackTarget('ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/9223370556150183303.'),
    ).toBe('ecs-svc/9223370556150183303');
    expect(rollbackTarget('ECS deployment circuit breaker: rolling back to deploymentId deploymentID.')).toBe(
      'deploymentID',
    );
    expect(rollbackTarget('ECS deployment circuit breaker: task failed to start.')).toBeUndefined();
    expect(rollbackTarget(undefined)).toBeUndefined();
  });
});

describe('reconstructDeployments', () => {
  it('tells the rollback story: previous completes, new one fails and rolls back, previous runs again', () => {
    const story = rollbackStory(seededRandom(7), SERVICE, T0);
    const deployments = reconstructDeployments(serviceEventsOf(story.events).map(asLogged));
    expect(deployments.map((d) => [d.deploymentId, d.outcome, d.rolledBackTo, d.rollbackOf])).toEqual([
      [story.previous, 'completed', undefined, undefined],
      [story.failed, 'rolled back', story.previous, undefined],
      [story.previous, 'completed', undefined, story.failed],
    ]);
    const [, failed, rollback] = deployments as [never, (typeof deployments)[0], (typeof deployments)[0]];
    // 19 digits above 2^53: the id stays the exact string ECS sent.
    expect(failed.deploymentId).toMatch(/^ecs-svc\/\d{19}$/);
    expect(BigInt(failed.deploymentId.slice(8))).toBeGreaterThan(2n ** 53n);
    expect(failed.reason).toBe(`ECS deployment circuit breaker: rolling back to deploymentId ${story.previous}.`);
    expect(failed.changes.map((c) => c.eventName)).toEqual([
      'SERVICE_DEPLOYMENT_IN_PROGRESS',
      'SERVICE_DEPLOYMENT_FAILED',
    ]);
    expect(failed.endTime).toBe(Math.floor(story.failedAtMs / 1000) * 1000);
    expect(failed.durationMs).toBe((failed.endTime as number) - failed.startTime);
    expect(rollback.startTime).toBeGreaterThanOrEqual(failed.endTime as number);
    expect(rollback.changes.map((c) => c.eventName)).toEqual([
      'SERVICE_DEPLOYMENT_IN_PROGRESS',
      'SERVICE_DEPLOYMENT_COMPLETED',
    ]);
  });

  it('gives the same story whatever the delivery order and however many duplicates', () => {
    const story = serviceEventsOf(rollbackStory(seededRandom(11), SERVICE, T0).events).map(asLogged);
    const expected = reconstructDeployments(story);
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.nat(story.length - 1), { maxLength: 10 }), (seed, extra) => {
        const delivered = shuffle(seededRandom(seed), [...story, ...extra.map((i) => story[i] as ServiceLogEvent)]);
        // Duplicates are no-ops in the log, so the audit sees each stored event once.
        const stored = [...new Map(delivered.map((e) => [e.version, e])).values()];
        expect(reconstructDeployments(stored)).toEqual(expected);
      }),
      params,
    );
  });

  it('links the rollback when the failure reason names no target but the rollback run does', () => {
    const rng = seededRandom(3);
    const [a, b] = [generateDeploymentId(rng), generateDeploymentId(rng)];
    const m = 60_000;
    const events: EcsEvent[] = [
      deploymentChange(rng, SERVICE, T0, b, 'SERVICE_DEPLOYMENT_IN_PROGRESS', `ECS deployment ${b} in progress.`),
      deploymentChange(
        rng,
        SERVICE,
        T0 + 9 * m,
        b,
        'SERVICE_DEPLOYMENT_FAILED',
        'ECS deployment circuit breaker: task failed to start.',
      ),
      deploymentChange(
        rng,
        SERVICE,
        T0 + 9 * m + 5_000,
        a,
        'SERVICE_DEPLOYMENT_IN_PROGRESS',
        `ECS deployment circuit breaker: rolling back to deploymentId ${a}.`,
      ),
    ];
    const [failed, rollback] = reconstructDeployments(events.map(asLogged));
    expect(failed).toMatchObject({ deploymentId: b, outcome: 'rolled back', rolledBackTo: a, durationMs: 9 * m });
    expect(failed?.reason).toBe('ECS deployment circuit breaker: task failed to start.');
    expect(rollback).toMatchObject({ deploymentId: a, outcome: 'in progress', rollbackOf: b, endTime: undefined });
    expect(rollback?.durationMs).toBeUndefined();
  });

  it('reports a failure without rollback as failed, and a later unrelated deployment as a new one', () => {
    const rng = seededRandom(5);
    const [b, c] = [generateDeploymentId(rng), generateDeploymentId(rng)];
    const events = [
      deploymentChange(rng, SERVICE, T0, b, 'SERVICE_DEPLOYMENT_IN_PROGRESS', 'in progress'),
      deploymentChange(rng, SERVICE, T0 + 1_000, b, 'SERVICE_DEPLOYMENT_FAILED', 'ECS deployment circuit breaker.'),
      deploymentChange(rng, SERVICE, T0 + 60_000, c, 'SERVICE_DEPLOYMENT_IN_PROGRESS', 'in progress'),
      serviceAction(rng, SERVICE, T0 + 61_000, 'INFO', 'SERVICE_STEADY_STATE'),
    ];
    expect(reconstructDeployments(events.map(asLogged)).map((d) => [d.deploymentId, d.outcome, d.rollbackOf])).toEqual([
      [b, 'failed', undefined],
      [c, 'in progress', undefined],
    ]);
  });

  it('reads the AWS doc samples (shared id and time) as one completed deployment', () => {
    const samples = [...loadSamples('deployment').values()].map(asLogged);
    expect(samples).toHaveLength(3);
    const [d] = reconstructDeployments(samples);
    expect(reconstructDeployments(samples)).toHaveLength(1);
    expect(d).toMatchObject({ deploymentId: 'ecs-svc/123', outcome: 'completed', durationMs: 0 });
    expect(d?.changes.map((c) => c.eventName)).toEqual([
      'SERVICE_DEPLOYMENT_IN_PROGRESS',
      'SERVICE_DEPLOYMENT_IN_PROGRESS',
      'SERVICE_DEPLOYMENT_COMPLETED',
    ]);
  });
});
