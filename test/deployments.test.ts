import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../local/localStack.js';
import { MINUTE_MS, recentStart } from '../sim/clock.js';
import { atLeastOnce, seededRandom } from '../sim/random.js';
import { loadSamples } from '../sim/samples.js';
import { type RollbackStory, rollbackStory, type ServiceRef } from '../sim/serviceWorkload.js';
import { inParallel } from '../usecases/inParallel.js';
import { testPipeline } from './support/pipeline.js';
import { jsonItems, runCli } from './support/runCli.js';

const SERVICE: ServiceRef = {
  serviceArn: 'arn:aws:ecs:eu-central-1:210987654321:service/payments/checkout',
  clusterArn: 'arn:aws:ecs:eu-central-1:210987654321:cluster/payments',
  region: 'eu-central-1',
  account: '210987654321',
};
// Half past the hour, a few hours before the run (relative, never a fixed date).
const START = recentStart() + 30 * MINUTE_MS;

interface DeploymentJson {
  serviceArn: string;
  deploymentId: string;
  startTime: string;
  endTime?: string;
  durationMs?: number;
  outcome: string;
  rolledBackTo?: string;
  rollbackOf?: string;
  reason?: string;
  changes: { eventTime: string; eventName: string; eventType: string; reason?: string; version: number }[];
}

let pipeline: Pipeline;
let story: RollbackStory;
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  const rng = seededRandom(1402);
  story = rollbackStory(rng, SERVICE, START);
  const events = [...story.events, ...loadSamples('deployment').values(), ...loadSamples('service-action').values()];
  await inParallel(atLeastOnce(rng, events, 3), 8, async (e) => {
    await pipeline.ingest(e);
  });
});
afterAll(() => pipeline.client.destroy());

const cli = (...args: string[]) => runCli(args, pipeline.tables);

describe('ecs-events deployments', () => {
  it('reconstructs the rollback story: IN_PROGRESS → FAILED (circuit breaker) → previous IN_PROGRESS → COMPLETED', async () => {
    const result = await cli('deployments', '--service', SERVICE.serviceArn, '--json');
    const items = jsonItems<DeploymentJson>(result);
    expect(items.map((d) => [d.deploymentId, d.outcome, d.rolledBackTo, d.rollbackOf])).toEqual([
      [story.previous, 'completed', undefined, undefined],
      [story.failed, 'rolled back', story.previous, undefined],
      [story.previous, 'completed', undefined, story.failed],
    ]);
    const [, failed, rollback] = items as [DeploymentJson, DeploymentJson, DeploymentJson];
    expect(failed.changes.map((c) => [c.eventName, c.eventType])).toEqual([
      ['SERVICE_DEPLOYMENT_IN_PROGRESS', 'INFO'],
      ['SERVICE_DEPLOYMENT_FAILED', 'ERROR'],
    ]);
    expect(failed.endTime).toBe(iso(story.failedAtMs));
    expect(failed.durationMs).toBe(Date.parse(failed.endTime as string) - Date.parse(failed.startTime));
    expect(failed.reason).toBe(`ECS deployment circuit breaker: rolling back to deploymentId ${story.previous}.`);
    expect(rollback.changes.map((c) => c.eventName)).toEqual([
      'SERVICE_DEPLOYMENT_IN_PROGRESS',
      'SERVICE_DEPLOYMENT_COMPLETED',
    ]);
    expect(Date.parse(rollback.startTime)).toBeGreaterThan(Date.parse(failed.endTime as string));
    // The 19-digit ids are JSON strings in the output, never numbers that lost digits.
    expect(result.stdout).toContain(`"deploymentId":"${story.failed}"`);
    expect(story.failed).toMatch(/^ecs-svc\/\d{19}$/);
  });

  it('prints a table with outcome, rollback target and reason, and one NDJSON line per deployment run', async () => {
    const [table, ndjson] = await Promise.all([
      cli('deployments', '--service', SERVICE.serviceArn),
      cli('deployments', '--service', SERVICE.serviceArn, '--ndjson'),
    ]);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header?.split('\t')).toEqual([
      'DEPLOYMENT',
      'START',
      'END',
      'DURATION',
      'OUTCOME',
      'STATE CHANGES',
      'REASON',
      'STARTED BY',
    ]);
    expect(rows).toHaveLength(3);
    // No API call in this log: who started the first two is not known (empty); the rollback run is ECS's own.
    expect(rows[1]?.split('\t')).toEqual([
      story.failed,
      expect.any(String),
      iso(story.failedAtMs),
      expect.stringMatching(/^\d+m\d\ds$/),
      `rolled back to ${story.previous}`,
      'IN_PROGRESS → FAILED',
      `ECS deployment circuit breaker: rolling back to deploymentId ${story.previous}.`,
      '',
    ]);
    expect(rows[2]?.split('\t')[4]).toBe(`completed (rollback of ${story.failed})`);
    expect(rows[2]?.split('\t')[7]).toBe('ECS (circuit breaker)');
    expect(ndjson.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  it('windows: a deployment under way at --since keeps its real start; at --until it is still in progress', async () => {
    const failedStart = story.events.find(
      (e) => e.detail.deploymentId === story.failed && e.detail.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS',
    )?.time as string;
    const justAfterStart = new Date(Date.parse(failedStart) + 60_000).toISOString();
    const [sinceRun, untilRun, limited] = await Promise.all([
      cli('deployments', '--service', SERVICE.serviceArn, '--since', justAfterStart, '--json'),
      cli('deployments', '--service', SERVICE.serviceArn, '--until', justAfterStart, '--json'),
      cli('deployments', '--service', SERVICE.serviceArn, '--json', '--limit', '1'),
    ]);
    // The first run of `previous` ended before --since and is left out; the failed one started before it.
    const since = jsonItems<DeploymentJson>(sinceRun);
    expect(since.map((d) => d.deploymentId)).toEqual([story.failed, story.previous]);
    expect(since[0]?.startTime).toBe(failedStart.replace('Z', '.000Z'));
    expect(since[1]?.rollbackOf).toBe(story.failed);
    const until = jsonItems<DeploymentJson>(untilRun);
    expect(until.map((d) => [d.deploymentId, d.outcome])).toEqual([
      [story.previous, 'completed'],
      [story.failed, 'in progress'],
    ]);
    expect(until[1]?.endTime).toBeUndefined();
    expect(JSON.parse(limited.stdout)).toMatchObject({ count: 1, truncated: true });
  });

  it('reads the AWS doc samples (deployment-2 and -3 share id and time) as one completed deployment', async () => {
    const items = jsonItems<DeploymentJson>(
      await cli('deployments', '--service', 'arn:aws:ecs:us-west-2:111122223333:service/default/servicetest', '--json'),
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ deploymentId: 'ecs-svc/123', outcome: 'completed', durationMs: 0 });
    expect(items[0]?.changes).toHaveLength(3);
  });

  it('refuses a missing or malformed --service and a reversed window with exit 2', async () => {
    const [missing, bad, reversed] = await Promise.all([
      cli('deployments'),
      cli('deployments', '--service', 'arn:aws:ecs:us-west-2:111122223333:cluster/default'),
      cli('deployments', '--service', SERVICE.serviceArn, '--since', '2026-11-05', '--until', '2026-11-04'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--service is required/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/must be an ECS service ARN/);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/window is reversed/);
  });
});
