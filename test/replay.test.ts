// `ecs-events replay` against moto_server's EventBridge (moto 5.2.1): a bus with the store's archive
// and ingest rule (an SQS queue stands in for the Lambda target), ECS events delivered live, then a
// replay of their window started by the real CLI; the replayed events (with `replay-name`) go through
// the real ingest handler on DynamoDB Local and change nothing in the log.
//
// moto's replay sends every archived event to every rule of the bus, whatever the window and the
// FilterArns: what the CLI asked for is checked in moto's record of the replay (DescribeReplay), the
// window and rule filtering themselves are EventBridge's. Skipped with a notice without moto_server;
// under CI=true its absence fails.
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedNames } from '../cli/stageNames.js';
import cfn from '../deploy/cloudformation.cjs';
import type { EcsEvent } from '../domain/eventTypes.js';
import { replayName, replayRequest } from '../domain/replay.js';
import type { Pipeline } from '../local/localStack.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { seededRandom } from '../sim/random.js';
import { badCallFixtures, callFixtures, fixtureOffset } from './support/cloudTrail.js';
import { type MotoServer, motoServerOrSkip, startMotoServer } from './support/motoServer.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { runCli } from './support/runCli.js';

const { skip } = motoServerOrSkip('replay.test.ts (EventBridge StartReplay)');
const REGION = 'us-east-1';
const STAGE = 'replaytest';
const names = deployedNames(STAGE);
const BUS = `ecs-event-store-${STAGE}`;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

const HOUR = 3_600_000;
const START = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const events: EcsEvent[] = generateWorkload(seededRandom(5), {
  tasks: 3,
  instances: 1,
  clusters: 1,
  startMs: START,
  spanMs: HOUR,
});
// The ECS API calls (CloudTrail) within the same hour: the rule and the archive take them too, and a
// read-only call or another service's never reaches the rule.
const calls = Object.values(callFixtures(fixtureOffset(START + 10 * 60_000)));
const notRouted = Object.entries(badCallFixtures(fixtureOffset(START + 10 * 60_000)))
  .filter(([name]) =>
    ['read-only-describe-tasks', 'no-resource-put-account-setting', 'event-source-mismatch'].includes(name),
  )
  .map(([, e]) => e as EcsEvent);

describe('the replay request', () => {
  it('replays [since, until) of the archive to the ingest rule only, under a valid name', () => {
    const target = {
      archiveArn: 'arn:aws:events:eu-west-1:999988887777:archive/ecs-event-store-prod-ecs-events',
      eventBusArn: 'arn:aws:events:eu-west-1:999988887777:event-bus/ecs-event-store-prod',
      ruleArn: 'arn:aws:events:eu-west-1:999988887777:rule/ecs-event-store-prod/ecs-event-store-prod-ecs-events',
    };
    const name = replayName(Date.parse('2026-11-01T14:00:00.250Z'), 'a1b2c3');
    expect(name).toBe('ecs-events-20261101T140000Z-a1b2c3');
    const request = replayRequest(
      target,
      { sinceMs: Date.parse('2026-11-01T14:00:00Z'), untilMs: Date.parse('2026-11-01T16:00:00Z') },
      name,
    );
    expect(request).toMatchObject({
      ReplayName: name,
      EventSourceArn: target.archiveArn,
      EventStartTime: new Date('2026-11-01T14:00:00Z'),
      EventEndTime: new Date('2026-11-01T16:00:00Z'),
      Destination: { Arn: target.eventBusArn, FilterArns: [target.ruleArn] },
    });
    expect(() => replayRequest(target, { sinceMs: 5, untilMs: 5 }, name)).toThrow(/empty/);
    expect(() => replayRequest(target, { sinceMs: 1, untilMs: 5 }, 'no spaces please')).toThrow(/replay name/);
  });
});

describe.skipIf(skip)('ecs-events replay on moto_server', () => {
  let moto: MotoServer;
  let eventBridge: EventBridgeClient;
  let sqs: SQSClient;
  let queueUrl: string;
  let pipeline: Pipeline;

  beforeAll(async () => {
    moto = await startMotoServer();
    eventBridge = new EventBridgeClient({ endpoint: moto.endpoint, region: REGION, credentials });
    sqs = new SQSClient({ endpoint: moto.endpoint, region: REGION, credentials });
    pipeline = await testPipeline(import.meta.filename);

    // What the store's stack deploys on the central bus (deploy/cloudformation.cjs), the Lambda target aside.
    const pattern = JSON.stringify(cfn.ECS_EVENT_PATTERN);
    const { EventBusArn } = await eventBridge.send(new CreateEventBusCommand({ Name: BUS }));
    await eventBridge.send(
      new CreateArchiveCommand({
        ArchiveName: names.archive,
        EventSourceArn: EventBusArn,
        EventPattern: pattern,
        RetentionDays: 30,
      }),
    );
    await eventBridge.send(new PutRuleCommand({ Name: names.rule, EventBusName: BUS, EventPattern: pattern }));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ingest-stand-in' }))).QueueUrl as string;
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    await eventBridge.send(
      new PutTargetsCommand({
        Rule: names.rule,
        EventBusName: BUS,
        Targets: [{ Id: 'ingest', Arn: Attributes?.QueueArn }],
      }),
    );
  });
  afterAll(async () => {
    eventBridge?.destroy();
    sqs?.destroy();
    pipeline?.client.destroy();
    await moto?.stop();
  });

  /** Every message the stand-in target has received since the last call, as events (then deleted). */
  async function delivered(): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
      );
      if (Messages.length === 0) return out;
      out.push(...Messages.map((m) => JSON.parse(m.Body as string)));
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }

  // Two replays through moto_server's own replay timer: on a loaded machine, more than the default minute.
  it('replays the window to the ingest rule; the replayed events change nothing in the log', async () => {
    const sent = [...events, ...calls, ...notRouted];
    for (let i = 0; i < sent.length; i += 10) {
      const entries = sent.slice(i, i + 10).map((e) => ({
        EventBusName: BUS,
        Source: e.source,
        DetailType: e['detail-type'],
        Detail: JSON.stringify(e.detail),
        Resources: e.resources as string[],
        Time: new Date(e.time as string),
      }));
      const { FailedEntryCount } = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
      expect(FailedEntryCount).toBe(0);
    }
    const live = await delivered();
    // Every ECS event and every kept call, nothing else: the one pattern's two branches.
    expect(live).toHaveLength(events.length + calls.length);
    expect(live.filter((e) => e['detail-type'] === 'AWS API Call via CloudTrail')).toHaveLength(calls.length);
    for (const e of live) expect(['appended', 'duplicate']).toContain((await pipeline.ingest(e)).outcome);
    const before = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    expect(before.length).toBeGreaterThan(5);

    const env = {
      AWS_ENDPOINT_URL_EVENTBRIDGE: moto.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    const since = new Date(START - HOUR).toISOString();
    const until = new Date(START + 2 * HOUR).toISOString();
    const dry = await runCli(
      ['replay', '--stage', STAGE, '--since', since, '--until', until, '--dry-run'],
      pipeline.tables,
      env,
    );
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      EventSourceArn: expect.stringMatching(new RegExp(`:archive/${names.archive}$`)),
      Destination: { FilterArns: [expect.stringMatching(new RegExp(`:rule/${BUS}/${names.rule}$`))] },
    });
    expect(await delivered()).toEqual([]);

    for (const name of ['after-the-outage', 'after-the-outage-again']) {
      const run = await runCli(
        [
          'replay',
          '--stage',
          STAGE,
          '--since',
          since,
          '--until',
          until,
          '--name',
          name,
          '--wait',
          '--poll-interval',
          '100ms',
        ],
        pipeline.tables,
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`replay ${name}: COMPLETED`);
      const recorded = await eventBridge.send(new DescribeReplayCommand({ ReplayName: name }));
      expect(recorded).toMatchObject({
        EventStartTime: new Date(since),
        EventEndTime: new Date(until),
        Destination: { FilterArns: [expect.stringMatching(new RegExp(`:rule/${BUS}/${names.rule}$`))] },
      });

      const replayed = await delivered();
      expect(replayed).toHaveLength(events.length + calls.length);
      for (const e of replayed) {
        expect(e['replay-name']).toBe(name);
        expect((await pipeline.ingest(e)).outcome).toBe('duplicate');
      }
    }
    // Not one item more, not one changed.
    const after = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    const byKey = (items: Record<string, unknown>[]) => items.map((i) => `${i.arn}#${i.version}#${i.event}`).sort();
    expect(byKey(after)).toEqual(byKey(before));
  }, 180_000);

  it('says which archive or rule it cannot find', async () => {
    const env = {
      AWS_ENDPOINT_URL_EVENTBRIDGE: moto.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    const run = await runCli(['replay', '--stage', 'nosuchstage', '--since', '2h'], pipeline.tables, env);
    // A resource missing in AWS is an AWS failure (exit 3), named on one line with the endpoint.
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      new RegExp(
        `^ecs-events replay: archive "ecs-event-store-nosuchstage-ecs-events" does not exist at ${moto.endpoint}.* \\[RESOURCE_MISSING\\]$`,
        'm',
      ),
    );
  });
});
