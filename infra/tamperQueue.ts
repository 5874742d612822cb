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
 * The SQS client is loaded at the first report, as ingest loads its own at the first refusal: a
 * tampering is rare, and a cold start should not pay for it.
 */
export function queueTamperSink(queueUrl: string): TamperSink {
  let send: Promise<(report: TamperReport) => Promise<unknown>> | undefined;
  return async (report) => {
    send ??= import('./queue.js').then(({ createQueueClient, sendToQueue }) => {
      const sqs = createQueueClient();
      return (r: TamperReport) =>
        sendToQueue(sqs, queueUrl, tamperMessageBody(r), { arn: r.key.arn, version: r.key.version, change: r.change });
    });
    await (await send)(report);
  };
}
