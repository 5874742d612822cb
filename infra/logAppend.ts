import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { MAX_DERIVED_PROBES } from '../domain/derivedVersion.js';
import { isSameEvent } from '../domain/duplicate.js';
import { InternalError } from '../domain/errors.js';
import type { ParsedEvent } from '../domain/eventTypes.js';
import { isStateKind } from '../domain/kinds.js';
import { type IngestStamp, type LogItem, toLogItem } from '../domain/logItem.js';

export type AppendOutcome =
  | { readonly type: 'appended'; readonly item: LogItem }
  /** Already in the log with the same content: a redelivery, nothing written. */
  | { readonly type: 'duplicate'; readonly item: LogItem }
  /** Same ARN and version as a stored event but different content: the first one is kept. */
  | { readonly type: 'conflict'; readonly item: LogItem; readonly stored: Record<string, unknown> };

/**
 * Appends one event with a conditional put: one request per delivery. A failed condition returns
 * the stored item (ALL_OLD) in the same request, which tells a duplicate from a conflict.
 * Throws on DynamoDB errors so that the caller (Lambda, EventBridge) retries.
 */
export async function appendEvent(
  doc: DynamoDBDocumentClient,
  tableName: string,
  parsed: ParsedEvent,
  ingest: IngestStamp,
): Promise<AppendOutcome> {
  const probes = isStateKind(parsed.kind) ? 1 : MAX_DERIVED_PROBES;
  for (let i = 0; i < probes; i++) {
    const item = toLogItem({ ...parsed, version: parsed.version + i }, ingest);
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(arn)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { type: 'appended', item };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const stored = e.Item ? unmarshall(e.Item) : {};
      if (isSameEvent(parsed, stored.event)) return { type: 'duplicate', item: { ...item, ...stored } as LogItem };
      if (probes === 1) return { type: 'conflict', item, stored };
      // A derived service version collided with a different event: take the next free number.
    }
  }
  throw new InternalError(`no free log version for ${parsed.arn} within ${MAX_DERIVED_PROBES} of ${parsed.version}`, {
    code: 'NO_FREE_VERSION',
  });
}

/**
 * Appends one item of the reconciler (an observation or a missing mark, domain/observation.ts) with
 * one conditional put on its own key (`<arn>#observed` / `<arn>#observed-missing` + version): never
 * the key of an event, never an overwrite. `exists` when that key is already logged (an earlier run,
 * or another reconciler, observed the same version first): nothing is written, nothing to retry.
 */
export async function appendObserved(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: LogItem,
): Promise<'appended' | 'exists'> {
  try {
    await doc.send(
      new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(arn)' }),
    );
    return 'appended';
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return 'exists';
    throw e;
  }
}
