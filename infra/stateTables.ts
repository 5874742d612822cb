import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Projection, STATE_KEY } from '../domain/projection.js';
import type { TableNames } from './config.js';

export type PutOutcome = 'written' | 'notNewer';

export const stateTableOf = (tables: TableNames, projection: Projection): string =>
  projection.kind === 'task' ? tables.taskState : tables.instanceState;

/**
 * Writes a latest-state row only if it is newer: ONE conditional put, never read-then-write, so any
 * order, any duplicates and any number of concurrent writers converge to the highest version.
 * `force` also rewrites a row of an equal version (changed projection logic), never a higher one.
 */
export async function putIfNewer(
  doc: DynamoDBDocumentClient,
  tableName: string,
  projection: Projection,
  options: { force?: boolean } = {},
): Promise<PutOutcome> {
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: projection.row,
        ConditionExpression: `attribute_not_exists(#key) OR #version ${options.force ? '<=' : '<'} :version`,
        ExpressionAttributeNames: { '#key': STATE_KEY[projection.kind], '#version': 'version' },
        ExpressionAttributeValues: { ':version': projection.version },
      }),
    );
    return 'written';
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return 'notNewer';
    throw e;
  }
}

/**
 * A write DynamoDB refuses for what the item is (ValidationException: a number out of range, an empty
 * attribute name, an item over 400 KB), which no retry can fix, unlike throttling, 5xx and timeouts.
 */
export const isUnwritable = (e: unknown): boolean => e instanceof Error && e.name === 'ValidationException';
