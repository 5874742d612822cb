// The errors this code throws on purpose, as one family: each has a stable `code` (said on stderr,
// listed in docs/cli.md "Exit codes") and a `kind`, which says what the failure means for whoever
// ran the command, and which cli/main.ts turns into the exit code. Pure: the SDK's errors are
// classified into AwsFailure by infra/awsErrors.ts, at the edge.

/**
 * - `usage`: how the command was called (an option, an argument, the environment it reads): fix the call.
 * - `aws`: AWS or the endpoint failed (unreachable, access denied, a table or resource missing,
 *   throttled past the retries): the call may be right; fix the account or retry later.
 * - `finding`: the answer itself is bad news (tampering that blocks the operation, a corrupt log item).
 * - `internal`: an invariant of this code broke: a bug to report.
 */
export type ErrorKind = 'usage' | 'aws' | 'finding' | 'internal';

/** Every code, with its kind. A code never changes meaning; docs/cli.md lists each one. */
export const ERROR_CODES = {
  /** An unknown option, a malformed value, a bad time, a reversed window, ... */
  USAGE: 'usage',
  /** A cluster name that matches no cluster, or several. */
  UNKNOWN_CLUSTER: 'usage',
  /** An environment variable of infra/config.ts (or of a function) that is not what it must be. */
  CONFIG_INVALID: 'usage',
  /** The input of `load` cannot be read, or is not JSON at all. */
  INPUT_UNREADABLE: 'usage',
  /** A file named on the command line (`--out`, `--checkpoint`) cannot be read or written. */
  FILE_UNUSABLE: 'usage',
  /** `rebuild --resume` without a checkpoint, or with one of another rebuild. */
  CHECKPOINT_UNUSABLE: 'usage',
  /** `trust-tampered` on a key that is not tampered. */
  NOT_TAMPERED: 'usage',
  /** DynamoDB Local needs Java 17+ on the PATH. */
  JAVA_MISSING: 'usage',

  /** Nothing answers at the endpoint (connection refused, DNS, timeout), after the SDK's retries. */
  ENDPOINT_UNREACHABLE: 'aws',
  /** The credentials may not do that (AccessDenied, an unrecognised or expired key). */
  ACCESS_DENIED: 'aws',
  /** The table does not exist at the endpoint. */
  TABLE_MISSING: 'aws',
  /** The table exists without an index the command reads. */
  INDEX_MISSING: 'aws',
  /** Another resource does not exist: an archive, a rule, a function, a stream. */
  RESOURCE_MISSING: 'aws',
  /** Throttled still after the SDK's retries. */
  THROTTLED: 'aws',
  /** AWS did not finish something in the time allowed (a table or index still being created). */
  AWS_TIMEOUT: 'aws',
  /** The deployed ingest function failed, or answered something else than an ingest result. */
  FUNCTION_FAILED: 'aws',
  /** Any other error AWS answered with (a 5xx, a refused request). */
  AWS_ERROR: 'aws',

  /** A log key whose item is gone: restore it first. */
  TAMPERED_KEY_REMOVED: 'finding',
  /** A tampered key already trusted with other content than it holds now. */
  TRUSTED_OTHER_CONTENT: 'finding',
  /** A log item that no longer holds an event that can be read or projected. */
  LOG_ITEM_CORRUPT: 'finding',

  /** An invariant of this code broke (a bug): the message says which. */
  INTERNAL: 'internal',
  /** No free derived version within the probes ingest makes for one event. */
  NO_FREE_VERSION: 'internal',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;
/** The codes of one kind. */
export type CodeOf<K extends ErrorKind> = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C] extends K ? C : never;
}[ErrorCode];

/** The family: a message for people, a stable code for scripts, a kind for the exit code. */
export abstract class EcsEventsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
  get kind(): ErrorKind {
    return ERROR_CODES[this.code];
  }
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends EcsEventsError {
  override readonly name = 'UsageError';
  declare readonly code: CodeOf<'usage'>;
  constructor(message: string, options: ErrorOptions & { readonly code?: CodeOf<'usage'> } = {}) {
    super(options.code ?? 'USAGE', message, options);
  }
}

/** AWS or the endpoint failed; the message names the endpoint or the resource (exit code 3). */
export class AwsFailure extends EcsEventsError {
  override readonly name = 'AwsFailure';
  declare readonly code: CodeOf<'aws'>;
  /** Where the request went (`http://127.0.0.1:8000`, `https://dynamodb.eu-west-1.amazonaws.com`), when known. */
  readonly endpoint: string | undefined;
  constructor(code: CodeOf<'aws'>, message: string, options: ErrorOptions & { readonly endpoint?: string } = {}) {
    super(code, message, options);
    this.endpoint = options.endpoint;
  }
}

/** The answer is bad news that stops the command (exit code 1, as drift or a rejected record). */
export class FindingError extends EcsEventsError {
  override readonly name = 'FindingError';
  declare readonly code: CodeOf<'finding'>;
  constructor(code: CodeOf<'finding'>, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** An invariant of this code broke: never the caller's fault. */
export class InternalError extends EcsEventsError {
  override readonly name = 'InternalError';
  declare readonly code: CodeOf<'internal'>;
  constructor(message: string, options: ErrorOptions & { readonly code?: CodeOf<'internal'> } = {}) {
    super(options.code ?? 'INTERNAL', message, options);
  }
}
