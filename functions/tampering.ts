import type { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { type TamperedKey, type TamperReport, tamperMarker } from '../domain/tamper.js';
import { appendTamperMarker } from '../infra/tamperLog.js';
import type { TamperSink } from '../infra/tamperQueue.js';
import { unmarshallImage } from './streamImage.js';

export interface TamperContext {
  readonly doc: DynamoDBDocumentClient;
  readonly eventLogTable: string;
  /** Where the old image goes (the tamper queue); without one, the report is only returned and logged. */
  readonly sink?: TamperSink | undefined;
  readonly logger: Logger;
  readonly now: number;
}

/** The key of a stream record, or undefined when it has none a log item could have. */
function keyOf(record: DynamoDBRecord): TamperedKey | undefined {
  try {
    const k = unmarshall((record.dynamodb?.Keys ?? {}) as Record<string, AttributeValue>);
    return typeof k.arn === 'string' && typeof k.version === 'number' ? { arn: k.arn, version: k.version } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One tampering seen on the log's stream (domain/tamper.ts classifyLogChange): logged at once with
 * its key (so it is on record whatever fails next), then its report, old image included, handed to
 * the sink, and the key recorded in the log by a marker. Never projected. Throws when the sink or the
 * marker write failed, for the caller to report the record for retry (both steps are idempotent
 * enough: a marker is written once, a report again at worst).
 */
export async function keepTampering(
  record: DynamoDBRecord,
  change: 'MODIFY' | 'REMOVE',
  ctx: TamperContext,
): Promise<TamperReport> {
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  const key = keyOf(record);
  ctx.logger.error('log tampering: a log item was changed or removed; not projected', {
    change,
    keys: record.dynamodb?.Keys,
    arn: key?.arn,
    version: key?.version,
    sequenceNumber,
    hasOldImage: record.dynamodb?.OldImage !== undefined,
  });
  const report: TamperReport = {
    key: key ?? { arn: String(record.dynamodb?.Keys?.arn?.S), version: Number(record.dynamodb?.Keys?.version?.N) },
    change,
    detectedAt: ctx.now,
    sequenceNumber,
    streamArn: record.eventSourceARN,
    oldImage: record.dynamodb?.OldImage as Record<string, unknown> | undefined,
  };
  let oldImage: Record<string, unknown> | undefined;
  try {
    oldImage = record.dynamodb?.OldImage ? unmarshallImage(record.dynamodb.OldImage) : undefined;
  } catch {
    oldImage = undefined;
  }
  await Promise.all([
    ctx.sink?.(report),
    key &&
      appendTamperMarker(
        ctx.doc,
        ctx.eventLogTable,
        tamperMarker({ key, change, detectedAt: ctx.now, oldImage, sequenceNumber }),
      ),
  ]);
  return report;
}
