import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { TamperReport } from '../domain/tamper.js';

/** Where the projector keeps what it saw of a tampering (functions/projector.ts). */
export type TamperSink = (report: TamperReport) => Promise<void>;

/** SQS's limit on a message body (256 KiB). */
const MAX_BODY_BYTES = 256 * 1024;

/** The message body of a report; without the old image when that would not fit (it is then in point-in-time recovery). */
function tamperMessageBody(report: TamperReport): string {
  const body = JSON.stringify(report);
  if (Buffer.byteLength(body, 'utf8') <= MAX_BODY_BYTES) return body;
  const { oldImage: _dropped, ...rest } = report;
  return JSON.stringify({
    ...rest,
    oldImageOmitted: `${Buffer.byteLength(body, 'utf8')} bytes, over the SQS limit: restore the item from point-in-time recovery`,
  });
}

/**
 * Sends each report to the tamper queue (encrypted, retained: docs/operations.md). The key is
 * also the message's attributes, so that a console or `receive-message` shows it without the body.
 */
export const queueTamperSink =
  (sqs: SQSClient, queueUrl: string): TamperSink =>
  async (report) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: tamperMessageBody(report),
        MessageAttributes: {
          arn: { DataType: 'String', StringValue: report.key.arn },
          version: { DataType: 'Number', StringValue: String(report.key.version) },
          change: { DataType: 'String', StringValue: report.change },
        },
      }),
    );
  };
