// The projector's tamper sink on a real SQS API (moto_server): one message per report, the key in the
// message attributes, the old image in the body unless that would pass SQS's 256 KiB limit.
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TamperReport } from '../domain/tamper.js';
import { queueTamperSink } from '../infra/tamperQueue.js';
import { setEnv } from './reliability/support/capture.js';
import { type MotoServer, motoServerOrSkip, startMotoServer } from './support/motoServer.js';

const moto = motoServerOrSkip('tamper queue (SQS)');

describe.skipIf(moto.skip)('the tamper sink (SQS on moto_server)', () => {
  let server: MotoServer;
  let sqs: SQSClient;
  let queueUrl: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    server = await startMotoServer();
    sqs = new SQSClient({ endpoint: server.endpoint });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ecs-event-store-test-log-tampered' })))
      .QueueUrl as string;
    // The sink makes its own client, as in Lambda: the SDK's endpoint variable points it at moto.
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_SQS: server.endpoint });
  });
  afterAll(async () => {
    restoreEnv?.();
    sqs?.destroy();
    await server?.stop();
  });

  const report = (arn: string, oldImage: Record<string, unknown>): TamperReport => ({
    key: { arn, version: 7 },
    change: 'MODIFY',
    detectedAt: Date.now(),
    sequenceNumber: '100',
    oldImage,
  });

  it('sends each report with its key as attributes; an old image over the limit is left out, and says so', async () => {
    const sink = queueTamperSink(queueUrl);
    const small = report('arn:aws:ecs:us-east-1:1:task/c/small', { arn: { S: 'x' } });
    const large = report('arn:aws:ecs:us-east-1:1:task/c/large', { event: { S: 'x'.repeat(300 * 1024) } });
    await sink(small);
    await sink(large);

    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    const byArn = new Map(Messages.map((m) => [m.MessageAttributes?.arn?.StringValue, m]));
    expect(byArn.size).toBe(2);
    const first = byArn.get(small.key.arn);
    expect(JSON.parse(first?.Body ?? '')).toEqual(small);
    expect(first?.MessageAttributes?.version).toMatchObject({ DataType: 'Number', StringValue: '7' });
    expect(first?.MessageAttributes?.change).toMatchObject({ DataType: 'String', StringValue: 'MODIFY' });
    const second = JSON.parse(byArn.get(large.key.arn)?.Body ?? '');
    expect(second.oldImage).toBeUndefined();
    expect(second.oldImageOmitted).toMatch(/over the SQS limit: restore the item from point-in-time recovery/);
    expect(second.key).toEqual(large.key);
  });
});
