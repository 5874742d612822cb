// Refused events are parked once, by the ingest function itself, in a real SQS API (moto_server):
// one message per refusal, shaped as a Lambda on-failure destination record that `ecs-events load`
// replays unchanged, one `Rejected` count, and no function error (so Lambda neither retries nor
// counts it again). Transient failures keep Lambda's retry path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrapRecord } from '../domain/audit/replayRecord.js';
import { createLambdaIngestHandler, IngestRejectedError, LOAD_CLIENT_CONTEXT } from '../functions/ingest.js';
import { createQueueClient, sendToQueue } from '../infra/queue.js';
import type { Pipeline } from '../local/localStack.js';
import { loadSamples } from '../sim/samples.js';
import { captureOutput, setEnv } from './reliability/support/capture.js';
import { badCallFixtures } from './support/cloudTrail.js';
import { type MotoServer, motoServerOrSkip, startMotoServer } from './support/motoServer.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { runCli } from './support/runCli.js';

const moto = motoServerOrSkip('ingest parking (SQS)');

const sample = (name: string) => structuredClone(loadSamples(name).get(name)) as Record<string, any>;
const context = {
  awsRequestId: 'c0ffee00-0000-4000-8000-000000000001',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:ecs-event-store-test-ingest',
  functionVersion: '$LATEST',
} as Context;

interface Emf {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}
const isEmf = (l: Record<string, unknown>): l is Emf => typeof l._aws === 'object' && l._aws !== null;
/** Sum of one metric over the EMF documents that carry it with the service dimension only (not by reason, ...). */
const metric = (lines: Record<string, unknown>[], name: string) =>
  lines
    .filter(isEmf)
    .filter((d) =>
      d._aws.CloudWatchMetrics.some(
        (m) =>
          m.Metrics.some((x) => x.Name === name) && m.Dimensions.some((set) => JSON.stringify(set) === '["service"]'),
      ),
    )
    .reduce((sum, d) => sum + Number(d[name]), 0);

describe.skipIf(moto.skip)('ingest parks a refused event once (SQS on moto_server)', () => {
  let server: MotoServer;
  let sqs: SQSClient;
  let queueUrl: string;
  let pipeline: Pipeline;
  let restoreEnv: () => void;
  let work: string;

  beforeAll(async () => {
    server = await startMotoServer();
    sqs = new SQSClient({ endpoint: server.endpoint });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ecs-event-store-test-ingest-failures' })))
      .QueueUrl as string;
    pipeline = await testPipeline(import.meta.filename);
    work = mkdtempSync(join(tmpdir(), 'ecs-events-parking-'));
    // What serverless.yml sets for the function, plus the SDK's own endpoint variable for SQS.
    restoreEnv = setEnv({
      AWS_ENDPOINT_URL_SQS: server.endpoint,
      INGEST_FAILURE_QUEUE_URL: queueUrl,
      EVENT_LOG_TABLE: pipeline.tables.eventLog,
      POWERTOOLS_METRICS_DISABLED: undefined,
      POWERTOOLS_METRICS_NAMESPACE: undefined,
    });
  });
  afterAll(async () => {
    restoreEnv?.();
    pipeline?.client.destroy();
    sqs?.destroy();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Every message waiting in the queue, received and deleted. */
  async function drainQueue(url = queueUrl): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      );
      if (Messages.length === 0) return all;
      all.push(...Messages);
      for (const m of Messages)
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }

  it('the Lambda handler: one parked message, one Rejected count, no thrown error; good events still land', async () => {
    // The deployed entry point, built from the environment on its first call (as in Lambda).
    const { handler } = await import('../functions/ingest.js');
    const bad = sample('task-1');
    bad.detail.version = 'seven';
    const output = captureOutput();
    let result: unknown;
    let appended: unknown;
    try {
      result = await handler(bad, context);
      appended = await handler(sample('health-1'), context);
    } finally {
      output.restore();
    }
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'VERSION_NOT_INTEGER' });
    expect(appended).toMatchObject({ outcome: 'appended' });
    expect(metric(output.json(), 'Rejected')).toBe(1);
    expect(metric(output.json(), 'ParkFailed')).toBe(0);

    const parked = await drainQueue();
    expect(parked).toHaveLength(1);
    const [message] = parked as [Message];
    expect((result as { parkedMessageId: string }).parkedMessageId).toBe(message.MessageId);
    expect(message.MessageAttributes?.reason?.StringValue).toBe('VERSION_NOT_INTEGER');
    const record = JSON.parse(message.Body as string);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId: context.awsRequestId,
        functionArn: context.invokedFunctionArn,
        condition: 'Rejected',
        approximateInvokeCount: 1,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: {
        errorType: 'IngestRejectedError',
        reason: 'VERSION_NOT_INTEGER',
        errorMessage: 'rejected [VERSION_NOT_INTEGER]: detail.version must be a non-negative integer, got "seven"',
      },
    });
    expect(Number.isNaN(Date.parse(record.timestamp))).toBe(false);
    // The event exactly as received, so that a replay sees what ingest saw.
    expect(record.requestPayload).toEqual(bad);
    expect(unwrapRecord({ messageId: message.MessageId, body: message.Body })).toEqual({ ok: true, event: bad });

    // `ecs-events load` replays the parked message unchanged: the same refusal, reported, exit 1, never parked again.
    const file = join(work, 'parked.json');
    writeFileSync(file, JSON.stringify({ Messages: parked }));
    const load = await runCli(['load', file, '--json'], pipeline.tables, { INGEST_FAILURE_QUEUE_URL: queueUrl });
    expect(load.code).toBe(1);
    expect(JSON.parse(load.stdout)).toMatchObject({
      appended: 0,
      rejected: 1,
      rejections: [{ reason: 'VERSION_NOT_INTEGER' }],
    });
    expect(await drainQueue()).toEqual([]);

    // `load --function` invokes the deployed function with the load client context: reported, not parked.
    const viaLoad = { ...context, clientContext: { custom: LOAD_CLIENT_CONTEXT } } as unknown as Context;
    const restore = captureOutput();
    const thrown = await handler(bad, viaLoad)
      .catch((e: unknown) => e)
      .finally(() => restore.restore());
    expect(thrown).toBeInstanceOf(IngestRejectedError);
    expect(await drainQueue()).toEqual([]);
  });

  it('parks bad API-call records and non-ECS events once each with their reason codes, writing nothing for them; logs ECS types it does not know', async () => {
    const ingest = createLambdaIngestHandler({
      doc: pipeline.doc,
      eventLogTable: pipeline.tables.eventLog,
      redactEnvironment: true,
      park: (record) => sendToQueue(createQueueClient(), queueUrl, record),
    });
    // CloudTrail's detail-type on a record that is not one of ECS's calls, and the bad call fixtures.
    const cloudTrail = {
      ...sample('task-1'),
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventName: 'RunTask' },
    };
    const badCalls = badCallFixtures();
    const ec2 = { ...sample('task-1'), source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' };
    const future = { ...sample('health-2'), id: 'future-1', 'detail-type': 'ECS Something New' };
    const before = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    const output = captureOutput();
    const results: unknown[] = [];
    try {
      for (const event of [cloudTrail, ...Object.values(badCalls), ec2, future])
        results.push(await ingest(event, context));
    } finally {
      output.restore();
    }
    const refused = [
      'CALL_SOURCE_UNSUPPORTED',
      // event-source-ec2, event-source-mismatch, no-event-id, no-event-time, no-resource-put-account-setting, read-only-describe-tasks
      'SOURCE_UNSUPPORTED',
      'CALL_SOURCE_UNSUPPORTED',
      'CALL_ID_MISSING',
      'TIME_MISSING',
      'CALL_ACTION_UNSUPPORTED',
      'CALL_READ_ONLY',
      'SOURCE_UNSUPPORTED',
    ];
    expect(Object.keys(badCalls)).toEqual([
      'event-source-ec2',
      'event-source-mismatch',
      'no-event-id',
      'no-event-time',
      'no-resource-put-account-setting',
      'read-only-describe-tasks',
    ]);
    expect(results).toMatchObject([
      ...refused.map((reason) => ({ outcome: 'rejected', reason })),
      { outcome: 'appended' },
    ]);
    expect(metric(output.json(), 'Rejected')).toBe(refused.length);
    const reasons = (await drainQueue()).map((m) => JSON.parse(m.Body as string).responsePayload.reason).sort();
    expect(reasons).toEqual([...refused].sort());
    // Nothing written for a refusal: the only new item is the ECS type it does not know.
    const after = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    const added = after.filter((i) => !before.some((b) => b.arn === i.arn && b.version === i.version));
    expect(added).toMatchObject([{ eventId: 'future-1', detailType: 'ECS Something New' }]);
  });

  it('keeps the retry path for what may succeed later: a refusal it cannot park, a DynamoDB failure', async () => {
    const output = captureOutput();
    const missingQueue = `${queueUrl.slice(0, queueUrl.lastIndexOf('/'))}/no-such-queue`;
    const unparkable = createLambdaIngestHandler({
      doc: pipeline.doc,
      eventLogTable: pipeline.tables.eventLog,
      redactEnvironment: true,
      park: (record) => sendToQueue(createQueueClient(), missingQueue, record),
    });
    const noTable = createLambdaIngestHandler({
      doc: pipeline.doc,
      eventLogTable: 'NoSuchLog',
      redactEnvironment: true,
      park: (record) => sendToQueue(createQueueClient(), queueUrl, record),
    });
    const bad = { ...sample('task-2'), detail: [] };
    let refused: unknown;
    let failed: unknown;
    try {
      refused = await unparkable(bad, context).catch((e: unknown) => e);
      failed = await noTable(sample('task-2'), context).catch((e: unknown) => e);
    } finally {
      output.restore();
    }
    // Thrown as the typed refusal: Lambda retries it, and its on-failure destination keeps the reason.
    expect(refused).toBeInstanceOf(IngestRejectedError);
    expect((refused as IngestRejectedError).reason).toBe('DETAIL_NOT_OBJECT');
    expect(metric(output.json(), 'ParkFailed')).toBe(1);
    // A DynamoDB failure is thrown as it came, and nothing is parked for it.
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(IngestRejectedError);
    expect(metric(output.json(), 'AppendFailed')).toBe(1);
    expect(await drainQueue()).toEqual([]);
  });
});
