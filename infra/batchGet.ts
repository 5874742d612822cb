import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chunks } from '../domain/chunks.js';
import { AwsFailure } from '../domain/errors.js';
import { explainDynamoError, type TableContext } from './dynamoErrors.js';

/** BatchGetItem's limit of keys per request. */
const MAX_KEYS = 100;
/** A ProjectionExpression of these top-level attributes, every name through an attribute name. */
export const projectionOf = (attributes: readonly string[]) => ({
  ProjectionExpression: attributes.map((a) => `#${a}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(attributes.map((a) => [`#${a}`, a])),
});

/**
 * Requests per chunk of keys. A BatchGetItem that DynamoDB only partly serves (throttling, 16 MB) is
 * a success to the SDK, which therefore never retries `UnprocessedKeys`: this loop does, capped, so a
 * table that stays throttled ends in an error rather than an endless wait.
 */
const MAX_ROUNDS = 8;
const BASE_DELAY_MS = 50;
const MAX_DELAY_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface BatchGetOptions {
  /** Only these attributes (names go through expression attribute names: several are reserved words). */
  readonly attributes?: readonly string[];
  readonly consistentRead?: boolean;
  /** Names the table in an explained error; default the table alone. */
  readonly context?: TableContext;
}

/**
 * The items of these keys that exist, in no particular order (callers index them by key). Keys are
 * de-duplicated (BatchGetItem refuses a request that repeats one) and read 100 at a time; unprocessed
 * keys are requested again after a capped exponential backoff with full jitter, MAX_ROUNDS times at
 * most, then the call fails saying so.
 */
export async function batchGetAll<T = Record<string, unknown>>(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  options: BatchGetOptions = {},
): Promise<T[]> {
  const unique = [...new Map(keys.map((k) => [JSON.stringify(k), k])).values()];
  const projection = options.attributes && projectionOf(options.attributes);
  const found: T[] = [];
  for (const keys of chunks(unique, MAX_KEYS)) {
    let pending: Record<string, unknown>[] = keys;
    for (let round = 1; pending.length > 0; round++) {
      if (round > MAX_ROUNDS) {
        throw new AwsFailure(
          'THROTTLED',
          `BatchGetItem on table "${table}" left ${pending.length} keys unprocessed after ${MAX_ROUNDS} requests ` +
            '(the table is throttled: retry later, or give it more read capacity)',
        );
      }
      if (round > 1) await sleep(Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** round));
      let out: BatchGetCommandOutput;
      try {
        out = await doc.send(
          new BatchGetCommand({
            RequestItems: { [table]: { Keys: pending, ConsistentRead: options.consistentRead, ...projection } },
          }),
        );
      } catch (e) {
        throw explainDynamoError(e, options.context ?? { table });
      }
      found.push(...((out.Responses?.[table] ?? []) as T[]));
      pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return found;
}
