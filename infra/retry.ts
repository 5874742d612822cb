/**
 * Throttling and transient server errors retried with capped exponential backoff and full jitter, on
 * top of the SDK's own few attempts, so that a long rebuild or verify rides out a throttled table
 * instead of dropping work. When the attempts run out the error propagates: the caller stops at its
 * last checkpoint, never skips.
 */
const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

export function isRetryable(e: unknown): boolean {
  const err = e as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (err === null || typeof err !== 'object') return false;
  const status = err.$metadata?.httpStatusCode ?? 0;
  return (
    Boolean(err.$retryable) ||
    RETRYABLE_NAMES.has(err.name ?? '') ||
    RETRYABLE_CODES.has(err.code ?? '') ||
    status >= 500
  );
}

export interface RetryOptions {
  /** Attempts in all (≥ 1). */
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Called before each retry, for counting. */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

export const DEFAULT_RETRY: Required<Omit<RetryOptions, 'onRetry'>> = {
  attempts: 10,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
};

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts, baseDelayMs, maxDelayMs } = { ...DEFAULT_RETRY, ...options };
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= attempts || !isRetryable(e)) throw e;
      options.onRetry?.(e, attempt);
      await delay(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt));
    }
  }
}
