// The ECS API calls end to end on DynamoDB Local: ingested by the real handler (each resource's item,
// duplicates as no-ops), answered by `who` from the calls index alone, joined by `stopped`,
// `deployments` and `history` at query time (a late call shows at the next query), and kept out of
// the state, the timeline's other events and rebuild.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

/** A task of cluster prod reaching STOPPED at `atMs` because a user stopped it. */
function stoppedTask(id: string, atMs: number): EcsEvent {
  const taskArn = `${ARN}task/prod/${id}`;
  return {
    version: '0',
    id: `stop-${id}`,
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: '111122223333',
    time: iso(atMs),
    region: 'us-east-1',
    resources: [taskArn],
    detail: {
      clusterArn: FIXTURE_CLUSTER,
      taskArn,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'Task stopped by user',
      containers: [{ name: 'web', exitCode: 143, lastStatus: 'STOPPED' }],
      stoppedAt: iso(atMs),
      updatedAt: iso(atMs),
      version: 5,
    },
  };
}

/** The StopTask fixture about another task, made at `atMs`, delivered by CloudTrail `lateMs` later. */
function stopCall(id: string, atMs: number, lateMs: number): EcsEvent {
  const base = calls['stop-task-id-and-cluster-name'] as EcsEvent;
  return {
    ...base,
    id: `call-${id}`,
    time: iso(atMs + lateMs),
    detail: {
      ...base.detail,
      eventID: `stop-${id}`,
      eventTime: iso(atMs),
      requestParameters: { ...(base.detail.requestParameters as object), task: id },
      responseElements: null,
    },
  };
}

describe('joins at query time', () => {
  it('stopped names who stopped a task; a StopTask that arrives 15 minutes after the STOPPED shows at the next query', async () => {
    const id = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const stoppedAt = Date.now() - 40 * MIN;
    await pipeline.ingest(stoppedTask(id, stoppedAt));
    const query = () => cli('stopped', '--cluster', FIXTURE_CLUSTER, '--since', '1h', '--json');
    const before = jsonItems<{ stopCode: string; stoppedBy?: unknown }>(await query());
    expect(before.find((g) => g.stopCode === 'UserInitiated')?.stoppedBy).toBeUndefined();
    // The call was made 20 s before the STOPPED event and reaches the store 15 minutes after it.
    await pipeline.ingest(stopCall(id, stoppedAt - 20_000, 15 * MIN + 20_000));
    const after = jsonItems<{ stopCode: string; stoppedBy?: unknown }>(await query());
    expect(after.find((g) => g.stopCode === 'UserInitiated')?.stoppedBy).toEqual([
      { principal: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef/jane.doe@example.com', tasks: 1 },
    ]);
    const table = await cli('stopped', '--cluster', FIXTURE_CLUSTER, '--since', '1h');
    expect(table.stdout.split('\n')[0]).toBe('TASKS\tSTOP CODE\tEXIT CODE\tSTOPPED REASON\tSTOPPED BY\tEXAMPLES');
  });

  it('deployments names who started each: the UpdateService that answered with it, else the nearest earlier; a call 15 minutes late is joined at the next query', async () => {
    const service = `${ARN}service/prod/web`;
    const update = calls['update-service'] as EcsEvent;
    const deploymentId = (
      (
        update.detail.responseElements as { service: { deployments: { id: string; status: string }[] } }
      ).service.deployments.find((d) => d.status === 'PRIMARY') as { id: string }
    ).id;
    const at = Date.parse(update.detail.eventTime as string);
    const deployment = (id: string, name: string, ms: number): EcsEvent => ({
      version: '0',
      id: `${id}-${name}`,
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      account: '111122223333',
      time: iso(ms),
      region: 'us-east-1',
      resources: [service],
      detail: { eventType: 'INFO', eventName: name, deploymentId: id, updatedAt: iso(ms), reason: 'r' },
    });
    // Its own deployment, and one no call names (ECS started it: a nearest-earlier guess, marked so).
    await pipeline.ingest(deployment(deploymentId, 'SERVICE_DEPLOYMENT_IN_PROGRESS', at + 5_000));
    await pipeline.ingest(deployment(deploymentId, 'SERVICE_DEPLOYMENT_COMPLETED', at + 5 * MIN));
    await pipeline.ingest(deployment('ecs-svc/1111111111111111111', 'SERVICE_DEPLOYMENT_IN_PROGRESS', at + 3 * MIN));
    const r = await cli('deployments', '--service', service, '--since', '3h', '--json');
    const byId = new Map(
      jsonItems<{ deploymentId: string; startedBy?: { principal: string; action: string; nearest: boolean } }>(r).map(
        (d) => [d.deploymentId, d.startedBy],
      ),
    );
    expect(byId.get(deploymentId)).toMatchObject({
      principal: 'deploy/gha-deploy-4242',
      action: 'UpdateService',
      nearest: false,
    });
    expect(byId.get('ecs-svc/1111111111111111111')).toMatchObject({ action: 'UpdateService', nearest: true });

    // A later UpdateService whose call CloudTrail delivers 15 minutes after its deployment began.
    const late = 'ecs-svc/2222222222222222222';
    const lateAt = at + 20 * MIN;
    await pipeline.ingest(deployment(late, 'SERVICE_DEPLOYMENT_IN_PROGRESS', lateAt + 5_000));
    const starterOfLate = async () =>
      jsonItems<{ deploymentId: string; startedBy?: { principal: string; nearest: boolean } }>(
        await cli('deployments', '--service', service, '--since', '3h', '--json'),
      ).find((d) => d.deploymentId === late)?.startedBy;
    // Before the call: only a guess, the nearest earlier UpdateService.
    expect(await starterOfLate()).toMatchObject({ nearest: true });
    const lateCall: EcsEvent = {
      ...update,
      id: 'late-update',
      time: iso(lateAt + 15 * MIN),
      detail: {
        ...update.detail,
        eventID: 'late-update-service',
        eventTime: iso(lateAt),
        userIdentity: (calls['update-service-short-arn'] as EcsEvent).detail.userIdentity,
        responseElements: { service: { serviceArn: service, deployments: [{ id: late, status: 'PRIMARY' }] } },
      },
    };
    await pipeline.ingest(lateCall);
    expect(await starterOfLate()).toMatchObject({ principal: 'bob', nearest: false });
  });

  it('the history of a task shows the calls about it, in time order, with who made them', async () => {
    const task = `${ARN}task/prod/1b2c3d4e5f60718293a4b5c6d7e8f90a`;
    const r = await cli('history', task, '--json');
    const rows = jsonItems<{ detailType: string; otherSummary?: string; eventTime: string }>(r);
    const summaries = rows.filter((x) => x.detailType === 'AWS API Call via CloudTrail').map((x) => x.otherSummary);
    expect(summaries).toEqual([
      'RunTask by alice',
      expect.stringMatching(
        /^StopTask by AWSReservedSSO_AdministratorAccess_0123456789abcdef\/jane.doe@example.com — "/,
      ),
    ]);
    expect(rows.map((x) => x.eventTime)).toEqual([...rows.map((x) => x.eventTime)].sort());
  });

  it('the history of a task a deployment started shows the UpdateService that started the deployment', async () => {
    const update = calls['update-service'] as EcsEvent;
    const deploymentId = (
      (
        update.detail.responseElements as { service: { deployments: { id: string; status: string }[] } }
      ).service.deployments.find((d) => d.status === 'PRIMARY') as { id: string }
    ).id;
    const at = Date.parse(update.detail.eventTime as string) + 30_000;
    const task = stoppedTask('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', at);
    const detail: Record<string, unknown> = {
      ...task.detail,
      lastStatus: 'PENDING',
      desiredStatus: 'RUNNING',
      version: 1,
      startedBy: deploymentId,
      group: 'service:web',
    };
    for (const f of ['stopCode', 'stoppedReason', 'stoppedAt', 'containers']) delete detail[f];
    await pipeline.ingest({ ...task, id: 'started-by-deployment', detail });
    const rows = jsonItems<{ detailType: string; otherSummary?: string; version: number }>(
      await cli('history', String(detail.taskArn), '--json'),
    );
    expect(rows.map((r) => r.otherSummary ?? r.version)).toEqual(['UpdateService by deploy/gha-deploy-4242', 1]);
  });

  it('timeline --type call lists the calls with who made them; with no --type they sit between the events', async () => {
    const r = await cli('timeline', '--cluster', FIXTURE_CLUSTER, '--since', '3h', '--type', 'call', '--json');
    const rows = jsonItems<{
      type: string;
      eventName: string;
      principal: string;
      resourceArn: string;
      errorCode?: string;
    }>(r);
    expect(rows.every((x) => x.type === 'call')).toBe(true);
    expect(rows.find((x) => x.errorCode === 'AccessDenied')).toMatchObject({
      eventName: 'RunTask',
      principal: 'ci-readonly/gha-pr-1337',
      resourceArn: FIXTURE_CLUSTER,
    });
    const all = jsonItems<{ type: string }>(
      await cli('timeline', '--cluster', FIXTURE_CLUSTER, '--since', '3h', '--json'),
    );
    expect(all.filter((x) => x.type === 'call')).toHaveLength(rows.length);
    expect(all.some((x) => x.type === 'task')).toBe(true);
    const stops = jsonItems(
      await cli(
        'timeline',
        '--cluster',
        FIXTURE_CLUSTER,
        '--since',
        '3h',
        '--type',
        'call',
        '--status',
        'StopTask',
        '--json',
      ),
    );
    expect(stops.length).toBeGreaterThanOrEqual(2);
  });

  it('calls are history only: no state row, not on the cluster timeline as other events, untouched by rebuild', async () => {
    const other = await cli('timeline', '--cluster', FIXTURE_CLUSTER, '--since', '3h', '--type', 'other', '--json');
    expect(jsonItems(other)).toEqual([]);
    const rebuilt = await cli('rebuild', '--json');
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    const rows = await scanAll(pipeline.doc, pipeline.tables.taskState);
    // The only task rows are the tasks of the tests above, from their task events: no call made one.
    expect(rows.map((row) => row.taskArn).sort()).toEqual([
      `${ARN}task/prod/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`,
      `${ARN}task/prod/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb`,
    ]);
  });
});

describe('calls and the log checks', () => {
  it('the projector takes them as history, a changed call is tampering, and verify --log checks each item', async () => {
    await pipeline.poller().drain();
    const clean = await cli('verify', '--log', '--json');
    expect(clean.code, clean.stderr).toBe(0);
    const items = (await scanAll(pipeline.doc, pipeline.tables.eventLog)).filter((i) =>
      String(i.arn).endsWith('#call'),
    );
    expect(JSON.parse(clean.stdout)).toMatchObject({ mismatches: [] });
    // An administrator rewrites who made a call: the stream sees a MODIFY, verify --log the mismatch.
    const target = items.find((i) => i.principal === 'root') as Record<string, unknown>;
    await pipeline.doc.send(
      new UpdateCommand({
        TableName: pipeline.tables.eventLog,
        Key: { arn: target.arn, version: target.version },
        UpdateExpression: 'SET principal = :p',
        ExpressionAttributeValues: { ':p': 'someone-else' },
      }),
    );
    await pipeline.poller().drain();
    const markers = (await scanAll(pipeline.doc, pipeline.tables.eventLog)).filter((i) =>
      String(i.arn).endsWith('#tampered'),
    );
    expect(markers.map((m) => m.tamperedArn ?? m.arn)).toEqual([expect.stringContaining(String(target.arn))]);
    const dirty = await cli('verify', '--log', '--json');
    expect(dirty.code).toBe(1);
    expect(JSON.stringify(JSON.parse(dirty.stdout).mismatches)).toContain('principal: stored \\"someone-else\\"');
  });
});
