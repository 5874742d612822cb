import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StateKind } from '../domain/eventTypes.js';
import { isExpired } from '../domain/expiry.js';
import { type Projection, STATE_KEY } from '../domain/projection.js';
import { type RetryOptions, withRetry } from './retry.js';
import { putIfNewer } from './stateTables.js';

/**
 * What writing a log's latest projection did:
 * - written:  the row now holds it;
 * - notNewer: the row already held this version or a newer one (the condition refused the put);
 * - expired:  its TTL has passed, so no row is (re)created; an older row, if any, was deleted.
 */
export type ApplyOutcome = 'written' | 'notNewer' | 'expired';

const conditionFailed = (e: unknown) => e instanceof ConditionalCheckFailedException;

/** "The row still holds the version that was read" (a corrupted row may have none). */
function stillAt(
  key: string,
  observedVersion: unknown,
): {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  return observedVersion === undefined
    ? {
        ConditionExpression: 'attribute_exists(#key) AND attribute_not_exists(#version)',
        ExpressionAttributeNames: { '#key': key, '#version': 'version' },
      }
    : {
        ConditionExpression: '#version = :observed',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':observed': observedVersion },
      };
}

/**
 * Writes one resource's latest projection with the live projector's "only if newer" condition (or
 * "newer or equal" with `force`), so it is safe while the projector runs and any number of rebuilds
 * converge. An expired projection is not written: DynamoDB TTL would delete it anyway, so instead an
 * older row is deleted under the same condition (the state a fresh projection plus TTL gives).
 */
export async function applyLatest(
  doc: DynamoDBDocumentClient,
  tableName: string,
  projection: Projection,
  options: { force?: boolean; nowMs: number; retry?: RetryOptions },
): Promise<ApplyOutcome> {
  if (!isExpired(projection, options.nowMs)) {
    return withRetry(() => putIfNewer(doc, tableName, projection, { force: options.force }), options.retry);
  }
  const key = STATE_KEY[projection.kind];
  await withRetry(
    () =>
      doc
        .send(
          new DeleteCommand({
            TableName: tableName,
            Key: { [key]: projection.arn },
            ConditionExpression: `#version ${options.force ? '<=' : '<'} :version`,
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': projection.version },
          }),
        )
        .catch((e: unknown) => {
          if (!conditionFailed(e)) throw e;
        }),
    options.retry,
  );
  return 'expired';
}

/**
 * Replaces a row only if it still holds the version that was inspected (compare-and-set): the repair
 * of a row whose version is ahead of the log, which "only if newer" can never lower. Returns false when
 * the row changed meanwhile (a live write won; verify again).
 */
export async function replaceIfVersion(
  doc: DynamoDBDocumentClient,
  tableName: string,
  projection: Projection,
  observedVersion: unknown,
  retry?: RetryOptions,
): Promise<boolean> {
  try {
    await withRetry(
      () =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: projection.row,
            ...stillAt(STATE_KEY[projection.kind], observedVersion),
          }),
        ),
      retry,
    );
    return true;
  } catch (e) {
    if (conditionFailed(e)) return false;
    throw e;
  }
}

/**
 * Deletes a row only if it still holds the inspected version: an orphan row (on explicit request), or a
 * drifted row whose log state has expired.
 */
export async function deleteIfVersion(
  doc: DynamoDBDocumentClient,
  tableName: string,
  kind: StateKind,
  arn: string,
  observedVersion: unknown,
  retry?: RetryOptions,
): Promise<boolean> {
  try {
    await withRetry(
      () =>
        doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { [STATE_KEY[kind]]: arn },
            ...stillAt(STATE_KEY[kind], observedVersion),
          }),
        ),
      retry,
    );
    return true;
  } catch (e) {
    if (conditionFailed(e)) return false;
    throw e;
  }
}
