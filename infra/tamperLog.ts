import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  PROJECTABLE_FIELDS,
  TAMPER_SUFFIX,
  TAMPER_TIMELINE_KEY,
  TamperedKeys,
  type TamperMarker,
  TRUST_DETAIL_TYPE,
  TRUST_SUFFIX,
  type TrustMarker,
} from '../domain/tamper.js';
import { batchGetAll } from './batchGet.js';
import { logContext, TIMELINE_INDEX } from './logTable.js';
import { queryItems } from './paging.js';

// The log's record of its own tampered keys: markers under `<arn>#tampered` (domain/tamper.ts).

/**
 * Appends a marker with the log's conditional put: the first detection of a key stays (it holds the
 * digest of the original content), a later one is a no-op. Throws on DynamoDB errors (retried by the caller).
 */
export async function appendTamperMarker(
  doc: DynamoDBDocumentClient,
  table: string,
  marker: TamperMarker | TrustMarker,
): Promise<'recorded' | 'alreadyRecorded'> {
  try {
    await doc.send(
      new PutCommand({ TableName: table, Item: marker, ConditionExpression: 'attribute_not_exists(arn)' }),
    );
    return 'recorded';
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return 'alreadyRecorded';
    throw e;
  }
}

/**
 * Every tampered key of the log: one Query of the markers' fixed partition of the byClusterTime index
 * (keys only there), then the markers themselves (BatchGetItem). A log without tampering costs one
 * small Query.
 */
export async function readTamperedKeys(doc: DynamoDBDocumentClient, table: string): Promise<TamperedKeys> {
  const keys: { arn: string; version: number }[] = [];
  const found = queryItems(
    doc,
    {
      TableName: table,
      IndexName: TIMELINE_INDEX,
      KeyConditionExpression: '#timelineKey = :k',
      ProjectionExpression: '#arn, #version',
      ExpressionAttributeNames: { '#timelineKey': 'timelineKey', '#arn': 'arn', '#version': 'version' },
      ExpressionAttributeValues: { ':k': TAMPER_TIMELINE_KEY },
    },
    logContext(table, TIMELINE_INDEX),
  );
  for await (const item of found) {
    const { arn, version } = item;
    const marked = typeof arn === 'string' && (arn.endsWith(TAMPER_SUFFIX) || arn.endsWith(TRUST_SUFFIX));
    if (marked && typeof version === 'number') keys.push({ arn: arn as string, version });
  }
  if (keys.length === 0) return new TamperedKeys();
  const all = await batchGetAll<TamperMarker | TrustMarker>(doc, table, keys, { context: logContext(table) });
  const trusts = all.filter((m): m is TrustMarker => m.detailType === TRUST_DETAIL_TYPE);
  const markers = all.filter((m): m is TamperMarker => m.detailType !== TRUST_DETAIL_TYPE);
  return new TamperedKeys(markers, trusts);
}

/** The log items now at these keys (their projectable attributes), to tell a restored key from a tampered one. */
export const readItemsAt = (
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly { arn: string; version: number }[],
): Promise<Record<string, unknown>[]> =>
  keys.length === 0
    ? Promise.resolve([])
    : batchGetAll(
        doc,
        table,
        keys.map((k) => ({ arn: k.arn, version: k.version })),
        { attributes: PROJECTABLE_FIELDS, context: logContext(table) },
      );
