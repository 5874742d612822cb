import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isExpired } from '../domain/expiry.js';
import { KINDS, type StateKind } from '../domain/kinds.js';
import { LAST_SEEN_MISSING_AT, type MissingMark, PHASE, type Projection, phaseOf } from '../domain/projection.js';
import { countRetries, type OnRetries } from './client.js';
import type { TableNames } from './config.js';
import { scanPages } from './paging.js';

// Writes to the latest-state tables, every one conditional. Errors are passed on as the SDK raised
// them: the projector's caller is Lambda, which logs and retries the very error, and the SDK already
// retried throttling and 5xx (infra/client.ts).

/** The latest-state table that rows of this kind go to. */
export const stateTableName = (tables: TableNames, kind: StateKind): string => tables[KINDS[kind].state.table];

type PutOutcome = 'written' | 'notNewer';

/**
 * What writing a log's latest projection did:
 * - written:  the row now holds it;
 * - notNewer: the row already held this version or a newer one (the condition refused the put);
 * - expired:  its TTL has passed, so no row is (re)created; an older row, if any, was deleted.
 */
type ApplyOutcome = PutOutcome | 'expired';

interface WriteOptions {
  /** Also rewrite (or delete) a row of an equal version (changed projection logic), never a higher one. */
  readonly force?: boolean | undefined;
  readonly onRetries?: OnRetries | undefined;
}

const conditionFailed = (e: unknown) => e instanceof ConditionalCheckFailedException;

/** The row's version is below the projection's (or at most equal, with `force`). */
const versionBelow = (force: boolean | undefined) => `#version ${force ? '<=' : '<'} :version`;

/**
 * Writes a latest-state row only if it is newer: ONE conditional put, never read-then-write, so any
 * order, any duplicates and any number of concurrent writers converge to the highest version.
 */
export async function putIfNewer(
  doc: DynamoDBDocumentClient,
  tableName: string,
  projection: Projection,
  options: WriteOptions = {},
): Promise<PutOutcome> {
  try {
    await countRetries(
      doc.send(
        new PutCommand({
          TableName: tableName,
          Item: projection.row,
          ConditionExpression: `attribute_not_exists(#key) OR ${versionBelow(options.force)}`,
          ExpressionAttributeNames: { '#key': KINDS[projection.kind].state.key, '#version': 'version' },
          ExpressionAttributeValues: { ':version': projection.version },
        }),
      ),
      options.onRetries,
    );
    return 'written';
  } catch (e) {
    if (conditionFailed(e)) return 'notNewer';
    throw e;
  }
}

/**
 * A write DynamoDB refuses for what the item is (ValidationException: a number out of range, an empty
 * attribute name, an item over 400 KB), which no retry can fix, unlike throttling, 5xx and timeouts.
 */
export const isUnwritable = (e: unknown): boolean => e instanceof Error && e.name === 'ValidationException';

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
  options: WriteOptions & { readonly nowMs: number },
): Promise<ApplyOutcome> {
  if (!isExpired(projection, options.nowMs)) return putIfNewer(doc, tableName, projection, options);
  try {
    await countRetries(
      doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { [KINDS[projection.kind].state.key]: projection.arn },
          ConditionExpression: versionBelow(options.force),
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': projection.version },
        }),
      ),
      options.onRetries,
    );
  } catch (e) {
    if (!conditionFailed(e)) throw e;
  }
  return 'expired';
}

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
 * Replaces a row only if it still holds the version that was inspected (compare-and-set): the repair
 * of a row whose version is ahead of the log, which "only if newer" can never lower. Returns false when
 * the row changed meanwhile (a live write won; verify again).
 */
export async function replaceIfVersion(
  doc: DynamoDBDocumentClient,
  tableName: string,
  projection: Projection,
  observedVersion: unknown,
): Promise<boolean> {
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: projection.row,
        ...stillAt(KINDS[projection.kind].state.key, observedVersion),
      }),
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
): Promise<boolean> {
  const key = KINDS[kind].state.key;
  try {
    await doc.send(new DeleteCommand({ TableName: tableName, Key: { [key]: arn }, ...stillAt(key, observedVersion) }));
    return true;
  } catch (e) {
    if (conditionFailed(e)) return false;
    throw e;
  }
}

/**
 * Folds a missing mark into the row of exactly its version: ONE conditional update that sets
 * `lastSeenMissingAt` and nothing else, never the version. A row at another version (a newer state
 * came, or the row is not there yet) or with a later mark is left alone, so any order and any number
 * of writers converge. Returns false when the condition refused it.
 */
export async function applyMark(
  doc: DynamoDBDocumentClient,
  tableName: string,
  mark: MissingMark,
  options: { readonly onRetries?: OnRetries | undefined } = {},
): Promise<boolean> {
  try {
    await countRetries(
      doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [KINDS[mark.kind].state.key]: mark.arn },
          UpdateExpression: 'SET #mark = :at',
          ConditionExpression: '#version = :version AND (attribute_not_exists(#mark) OR #mark < :at)',
          ExpressionAttributeNames: { '#version': 'version', '#mark': LAST_SEEN_MISSING_AT },
          ExpressionAttributeValues: { ':version': mark.version, ':at': mark.at },
        }),
      ),
      options.onRetries,
    );
    return true;
  } catch (e) {
    if (conditionFailed(e)) return false;
    throw e;
  }
}

/**
 * Gives every row written before the `phase` attribute its phase (domain/projection.ts), so that the
 * byClusterPhase index lists it: a Scan of the rows that lack one, then per row one update that sets
 * `phase` and nothing else, conditional on the version read (a row the projector rewrote meanwhile
 * has its phase already). Returns how many rows it updated. The in-place index migration runs it.
 */
export async function addMissingPhases(doc: DynamoDBDocumentClient, kind: StateKind, tableName: string) {
  const { key, statusField } = KINDS[kind].state;
  let updated = 0;
  const pages = scanPages(
    doc,
    {
      TableName: tableName,
      ProjectionExpression: '#key, #version, #status',
      FilterExpression: 'attribute_not_exists(#phase)',
      ExpressionAttributeNames: { '#key': key, '#version': 'version', '#status': statusField, '#phase': PHASE },
    },
    { table: tableName },
  );
  for await (const page of pages) {
    for (const row of page.Items ?? []) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { [key]: row[key] },
            UpdateExpression: 'SET #phase = :phase',
            ConditionExpression: '#version = :version AND attribute_not_exists(#phase)',
            ExpressionAttributeNames: { '#version': 'version', '#phase': PHASE },
            ExpressionAttributeValues: { ':version': row.version, ':phase': phaseOf(kind, row) },
          }),
        );
        updated++;
      } catch (e) {
        if (!conditionFailed(e)) throw e;
      }
    }
  }
  return updated;
}
