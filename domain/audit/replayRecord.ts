import { isObject } from '../canonical.js';
/**
 * What `ecs-events load` accepts, reduced to EventBridge envelopes: the envelopes themselves, the
 * ingest function's on-failure destination records (Lambda wraps the event as `requestPayload`),
 * and SQS messages holding either of them as a JSON string in `body` (`Body` in ReceiveMessage
 * output), alone, as a list, or as an SQS event (`Records`) or ReceiveMessage result (`Messages`).
 */

import { describeRejection, type ReasonCode, type Rejection } from '../rejection.js';

export type Unwrapped =
  | { readonly ok: true; readonly event: unknown }
  | { readonly ok: false; readonly message: string };

/** An SQS message: a string body plus a message id (SQS events spell it messageId, the API MessageId). */
const sqsBody = (r: Record<string, unknown>): string | undefined => {
  const body = r.body ?? r.Body;
  return typeof body === 'string' && (r.messageId !== undefined || r.MessageId !== undefined) ? body : undefined;
};

/** A Lambda destination record: the invocation's input as `requestPayload`, beside its context. */
const isDestinationRecord = (r: Record<string, unknown>): boolean =>
  'requestPayload' in r && ('requestContext' in r || 'responseContext' in r || 'responsePayload' in r);

/** Unwraps one record down to the event it carries (at most a few layers: SQS → destination record → event). */
export function unwrapRecord(record: unknown, depth = 0): Unwrapped {
  if (!isObject(record) || depth > 3) return { ok: true, event: record };
  const body = sqsBody(record);
  if (body !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return { ok: false, message: `the SQS message body is not JSON (${(e as Error).message})` };
    }
    return unwrapRecord(parsed, depth + 1);
  }
  if (isDestinationRecord(record)) return unwrapRecord(record.requestPayload, depth + 1);
  return { ok: true, event: record };
}

/** The records of one whole JSON document: an array, an SQS event or ReceiveMessage result, or a single record. */
export function recordsOfDocument(document: unknown): unknown[] {
  if (Array.isArray(document)) return document;
  if (isObject(document)) {
    for (const key of ['Messages', 'Records'] as const) {
      const list = document[key];
      if (Array.isArray(list) && list.every((m) => isObject(m) && sqsBody(m) !== undefined)) return list;
    }
  }
  return [document];
}

/** The invocation a refused event was parked from (the Lambda context's ids). */
export interface Invocation {
  readonly requestId: string;
  readonly functionArn: string;
  /** `$LATEST` unless a published version ran. */
  readonly functionVersion?: string | undefined;
}

/**
 * What the ingest function parks for a refused event: a Lambda on-failure destination record, so
 * that `ecs-events load` replays it unchanged (unwrapRecord takes `requestPayload`) and so that it
 * reads like the records Lambda itself parks in the same queue. Differences, on purpose:
 * `requestContext.condition` is `Rejected` (Lambda's own say RetriesExhausted or EventAgeExceeded),
 * `approximateInvokeCount` is 1 (a refusal is not retried), and `responsePayload` carries the reason
 * code on its own beside the `rejected [CODE]: message` text.
 */
export interface ParkedRefusal {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'Rejected';
    readonly approximateInvokeCount: 1;
  };
  /** The event exactly as the function received it. */
  readonly requestPayload: unknown;
  readonly responseContext: { readonly statusCode: 200; readonly executedVersion: string };
  readonly responsePayload: {
    readonly errorType: 'IngestRejectedError';
    readonly errorMessage: string;
    readonly reason: ReasonCode;
  };
}

export function parkedRefusal(
  event: unknown,
  rejection: Rejection,
  invocation: Invocation,
  nowMs: number,
): ParkedRefusal {
  return {
    version: '1.0',
    timestamp: new Date(nowMs).toISOString(),
    requestContext: {
      requestId: invocation.requestId,
      functionArn: invocation.functionArn,
      condition: 'Rejected',
      approximateInvokeCount: 1,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: invocation.functionVersion ?? '$LATEST' },
    responsePayload: {
      errorType: 'IngestRejectedError',
      errorMessage: describeRejection(rejection),
      reason: rejection.reason,
    },
  };
}
