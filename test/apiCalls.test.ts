// The ECS API calls end to end on DynamoDB Local: ingested by the real handler (each resource's item,
// duplicates as no-ops), answered by `who` from the calls index alone, joined by `stopped`,
// `deployments` and `history` at query time (a late call shows at the next query), and kept out of
// the state, the timeline's other events and rebuild.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../domain/eventTypes.js';
import type { Pipeline } from '../local/localStack.js';
import { callFixtures, FIXTURE_CLUSTER, fixtureOffset } from './support/cloudTrail.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { jsonItems, runCli } from './support/runCli.js';

let pipeline: Pipeline;
const START = Date.now() - 2 * 3_600_000;
const calls = callFixtures(fixtureOffset(START));
const ARN = 'arn:aws:ecs:us-east-1:111122223333:';
const cli = (...args: string[]) => runCli(args, pipeline.tables);

interface Activity {
  principal: string;
  principalArn?: string;
  calls: number;
  denied: number;
  actions: Record<string, number>;
  resources: string[];
  lastTime: string;
}

beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  for (const e of Object.values(calls)) expect((await pipeline.ingest(e)).outcome).toBe('appended');
});
afterAll(() => pipeline?.client.destroy());

describe('API calls in the log', () => {
  it('one item per resource a call acts on; a redelivery or a replay appends nothing', async () => {
    const items = (await scanAll(pipeline.doc, pipeline.tables.eventLog)).filter((i) =>
      String(i.arn).endsWith('#call'),
    );
    // 23 calls, RunTask of two tasks filed twice.
    expect(items).toHaveLength(24);
    const again = { ...(calls['run-task-two-tasks'] as EcsEvent), id: 'redelivered', 'replay-name': 'after-outage' };
    expect(await pipeline.ingest(again)).toMatchObject({ outcome: 'duplicate' });
    const after = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    expect(after).toHaveLength(items.length);
  });

  it('who: calls grouped by principal, denied attempts counted, from the index alone', async () => {
    const r = await cli('who', '--cluster', FIXTURE_CLUSTER, '--since', '3h', '--json');
    const byName = new Map(jsonItems<Activity>(r).map((a) => [a.principal, a]));
    expect(byName.get('deploy/gha-deploy-4242')).toMatchObject({
      principalArn: `arn:aws:iam::111122223333:role/deploy`,
      calls: 6,
      denied: 0,
      actions: {
        RunTask: 1,
        UpdateService: 1,
        CreateTaskSet: 1,
        UpdateTaskSet: 1,
        UpdateServicePrimaryTaskSet: 1,
        DeleteTaskSet: 1,
      },
    });
    expect(byName.get('ci-readonly/gha-pr-1337')).toMatchObject({
      calls: 1,
      denied: 1,
      resources: [FIXTURE_CLUSTER],
    });
    // A call about two tasks counts once, and is found under both.
    expect(byName.get('alice')).toMatchObject({
      actions: { RunTask: 1, StartTask: 1, DeleteService: 1, DeleteCluster: 1 },
      calls: 4,
    });
    expect(byName.get('alice')?.resources).toEqual(
      expect.arrayContaining([
        `${ARN}task/prod/1b2c3d4e5f60718293a4b5c6d7e8f90a`,
        `${ARN}task/prod/2c3d4e5f60718293a4b5c6d7e8f90a1b`,
      ]),
    );
    expect(byName.get('root')).toMatchObject({ actions: { UpdateCluster: 1 } });
    expect([...byName.values()].reduce((n, a) => n + a.calls, 0)).toBe(23);
  });

  it('who --principal matches the role, the session, the role ARN or the session ARN; --action and --service narrow', async () => {
    const principals = async (...args: string[]) =>
      jsonItems<Activity>(await cli('who', '--cluster', FIXTURE_CLUSTER, '--since', '3h', '--json', ...args)).map(
        (a) => `${a.principal}:${a.calls}`,
      );
    const deploy = ['deploy/gha-deploy-4242:6'];
    expect(await principals('--principal', 'deploy')).toEqual(deploy);
    expect(await principals('--principal', 'gha-deploy-4242')).toEqual(deploy);
    expect(await principals('--principal', 'arn:aws:iam::111122223333:role/deploy')).toEqual(deploy);
    expect(await principals('--principal', 'arn:aws:sts::111122223333:assumed-role/deploy/gha-deploy-4242')).toEqual(
      deploy,
    );
    expect(await principals('--principal', 'jane.doe@example.com', '--action', 'ExecuteCommand')).toEqual([
      'AWSReservedSSO_AdministratorAccess_0123456789abcdef/jane.doe@example.com:2',
    ]);
    // Service web: created by CloudFormation, updated by deploy, scaled, updated by bob (old short ARN), deleted by alice.
    expect((await principals('--service', 'web')).sort()).toEqual(
      [
        'AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling:1',
        'alice:1',
        'bob:1',
        'cfn-exec/AWSCloudFormation:1',
        'deploy/gha-deploy-4242:1',
      ].sort(),
    );
  });

  it('who: the table form, an empty window, and bad options', async () => {
    const table = await cli('who', '--cluster', FIXTURE_CLUSTER, '--since', '3h', '--principal', 'root');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]?.split('\t')).toEqual([
      'PRINCIPAL',
      'CALLS',
      'DENIED',
      'LAST CALL',
      'ACTIONS',
      'RESOURCES',
    ]);
    expect(table.stdout).toContain('root\t1\t0\t');
    const none = await cli('who', '--cluster', FIXTURE_CLUSTER, '--since', '10d', '--until', '5d');
    expect([none.code, none.stdout]).toEqual([0, '']);
    expect(none.stderr).toMatch(/no ECS API call of this cluster in the window/);
    const bad = await cli('who', '--cluster', FIXTURE_CLUSTER, '--since', '1h', '--action', 'DescribeTasks');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--action must be one of RunTask, .* got "DescribeTasks"/);
  });
});
