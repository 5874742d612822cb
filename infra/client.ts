import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Requests per operation, first try included. A little more than the SDK's default for DynamoDB (4),
 * so a rebuild or verify rides out a throttled table; few enough that a throttled Lambda write gives up
 * well within the function's timeout and Lambda's own retry takes over.
 */
const MAX_ATTEMPTS = 5;

/**
 * A DynamoDB document client. The endpoint comes from the SDK's own variables
 * (AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL); unset, it is AWS.
 *
 * Retries are the SDK's and nobody else's: `adaptive` mode (exponential backoff with jitter, plus a
 * client-side rate limiter that slows down on throttling instead of hammering the table) and
 * MAX_ATTEMPTS requests. The SDK's own AWS_RETRY_MODE and AWS_MAX_ATTEMPTS override these defaults,
 * and so does `config` (a test passes `maxAttempts: 1` to see every fault, or a fast `retryStrategy`).
 */
export function createDocumentClient(
  config: DynamoDBClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(!env.AWS_MAX_ATTEMPTS && { maxAttempts: MAX_ATTEMPTS }),
    ...(!env.AWS_RETRY_MODE && { retryMode: 'adaptive' }),
    ...config,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: {
      removeUndefinedValues: true,
      // Event JSON has already been parsed by Lambda, so an int64 beyond 2^53 lost its digits
      // before we saw it; store what we have rather than fail the row. The log keeps the text.
      allowImpreciseNumbers: true,
    },
  });
}

/** Told how many times the SDK retried a request, for a report (rebuild's `retries`). */
export type OnRetries = (retries: number) => void;

/** The retries behind a response or an error: its `$metadata.attempts` counts the first try too. */
export function retriesOf(result: unknown): number {
  const attempts = (result as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 1 ? attempts - 1 : 0;
}

/** Awaits one SDK request and tells its retries, whether it succeeded or failed. */
export async function countRetries<T>(request: Promise<T>, onRetries: OnRetries | undefined): Promise<T> {
  try {
    const out = await request;
    onRetries?.(retriesOf(out));
    return out;
  } catch (e) {
    onRetries?.(retriesOf(e));
    throw e;
  }
}
