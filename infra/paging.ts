import {
  type DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  type QueryCommandOutput,
  type ScanCommandInput,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { type OnRetries, retriesOf } from './client.js';
import { explainDynamoError, type TableContext } from './dynamoErrors.js';

export interface PageOptions {
  /** DynamoDB `Limit` per request; unset, DynamoDB's 1 MB page. Small values force paging (tests). */
  readonly pageSize?: number | undefined;
}

export interface PagingOptions extends PageOptions {
  /**
   * Start after this key: a LastEvaluatedKey that a checkpoint kept (rebuild --resume), handed to the
   * paginator as its startingToken, which sends it as the first request's ExclusiveStartKey.
   */
  readonly startKey?: Record<string, unknown> | undefined;
  readonly onRetries?: OnRetries | undefined;
}

/**
 * The pages of an SDK paginator, one in memory at a time. Errors an operator can fix (table or index
 * missing, endpoint down) are rewritten to name them, after the SDK's retries ran out.
 */
async function* explained<T>(
  pages: AsyncIterable<T>,
  context: TableContext,
  onRetries: OnRetries | undefined,
): AsyncGenerator<T> {
  try {
    for await (const page of pages) {
      onRetries?.(retriesOf(page));
      yield page;
    }
  } catch (e) {
    onRetries?.(retriesOf(e));
    throw explainDynamoError(e, context);
  }
}

// A paginator writes the start key and Limit of each request into its input: each call gets a copy.

const queryPages = (
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
  context: TableContext,
  options: PagingOptions = {},
): AsyncGenerator<QueryCommandOutput> =>
  explained(
    paginateQuery({ client: doc, pageSize: options.pageSize, startingToken: options.startKey }, { ...input }),
    context,
    options.onRetries,
  );

export const scanPages = (
  doc: DynamoDBDocumentClient,
  input: ScanCommandInput,
  context: TableContext,
  options: PagingOptions = {},
): AsyncGenerator<ScanCommandOutput> =>
  explained(
    paginateScan({ client: doc, pageSize: options.pageSize, startingToken: options.startKey }, { ...input }),
    context,
    options.onRetries,
  );

/** The items of one Query, page by page, however long the result. */
export async function* queryItems(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
  context: TableContext,
  options: PageOptions = {},
): AsyncGenerator<Record<string, unknown>> {
  for await (const page of queryPages(doc, input, context, options)) yield* page.Items ?? [];
}
