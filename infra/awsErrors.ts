import { AwsFailure, type CodeOf, UsageError } from '../domain/errors.js';

// The SDK side of domain/errors.ts: which SDK errors are AWS failures, and the one-line sentence that
// names where the failed request went. The endpoint is not in an SDK error, so `nameFailedRequests`
// (SDK middleware on the CLI's clients) notes it, with the operation and its resource, on the error
// itself: the error stays the one the SDK threw (same class, same name), only annotated, so code that
// tests for ConditionalCheckFailedException or counts retries sees no difference. No SDK import here:
// cli/main.ts classifies with this module without loading a client.

/** What a failed request was: noted on its error by `nameFailedRequests`. */
export interface FailedRequest {
  /** `DynamoDB`, `ECS`, `Lambda`, `EventBridge`. */
  readonly service: string;
  /** `Query`, `DescribeArchive`, ... */
  readonly operation: string;
  /** `http://127.0.0.1:8000`, `https://dynamodb.eu-west-1.amazonaws.com`. */
  readonly endpoint: string;
  /** What the request named, as a phrase: `table "ECSEventLog"`, `function "ingest"`, ... */
  readonly resource?: string | undefined;
}

const FAILED_REQUEST = Symbol('ecs-events failed request');

export const failedRequestOf = (e: unknown): FailedRequest | undefined =>
  typeof e === 'object' && e !== null ? (e as { [FAILED_REQUEST]?: FailedRequest })[FAILED_REQUEST] : undefined;

type Input = Record<string, unknown>;

/** The resource a request names, as a phrase for a message. */
function resourceOf(input: Input): string | undefined {
  const q = (v: unknown) => JSON.stringify(String(v));
  if (input.TableName !== undefined) {
    return input.IndexName === undefined
      ? `table ${q(input.TableName)}`
      : `index ${q(input.IndexName)} of table ${q(input.TableName)}`;
  }
  const batch = (input.RequestItems ?? undefined) as Input | undefined;
  if (batch) return `table ${Object.keys(batch).map(q).join(', ')}`;
  if (input.FunctionName !== undefined) return `function ${q(input.FunctionName)}`;
  if (input.ArchiveName !== undefined) return `archive ${q(input.ArchiveName)}`;
  if (input.ReplayName !== undefined) return `replay ${q(input.ReplayName)}`;
  if (input.Name !== undefined) return `rule ${q(input.Name)}`;
  if (input.cluster !== undefined) return `cluster ${q(input.cluster)}`;
  return undefined;
}

interface HttpRequestLike {
  readonly protocol?: string;
  readonly hostname?: string;
  readonly port?: number;
}

const endpointOf = (r: HttpRequestLike | undefined): string | undefined =>
  r?.hostname ? `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}` : undefined;

type Context = {
  clientName?: string;
  commandName?: string;
  /** Set by the SDK's endpoint resolution (serialize step), before credentials are resolved. */
  endpointV2?: { url?: URL };
  [SENT_TO]?: string;
};
type Handler = (args: { input: Input; request?: unknown }) => Promise<unknown>;
interface Stack {
  add(
    mw: (next: Handler, context: Context) => Handler,
    options: { step: string; name: string; override: boolean },
  ): void;
}

/** Where the request of a context went, set in the build step (the first step with an endpoint). */
const SENT_TO = Symbol('ecs-events request endpoint');

/** The signing name of a client's service: the host prefix of its default endpoint. */
const HOST_PREFIX: Record<string, string> = {
  DynamoDB: 'dynamodb',
  ECS: 'ecs',
  Lambda: 'lambda',
  EventBridge: 'events',
};

interface ResolvedConfig {
  readonly endpoint?: () => Promise<HttpRequestLike & { url?: URL }>;
  readonly region?: () => Promise<string>;
}

/**
 * Where a client sends requests, for a request that failed before it had an endpoint (credentials or
 * region could not be resolved): the configured endpoint, the SDK's endpoint variable, else AWS's own.
 */
async function configuredEndpoint(config: ResolvedConfig | undefined, service: string): Promise<string | undefined> {
  try {
    const custom = await config?.endpoint?.();
    if (custom) return custom.url ? custom.url.origin : endpointOf(custom);
    // The SDK reads these itself, at request time (not into the client's configuration).
    const fromEnv = process.env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] || process.env.AWS_ENDPOINT_URL;
    if (fromEnv && !process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) return fromEnv;
    const region = await config?.region?.();
    return region && HOST_PREFIX[service] ? `https://${HOST_PREFIX[service]}.${region}.amazonaws.com` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Notes on every error of `client` the request that failed: service, operation, endpoint, resource.
 * Outermost (initialize step), so that it sees every failure after the last retry, credentials
 * included; the endpoint is read in the build step, where the request has it. Returns the client.
 */
export function nameFailedRequests<T extends { middlewareStack: unknown }>(client: T): T {
  const stack = client.middlewareStack as Stack;
  const config = (client as { config?: ResolvedConfig }).config;
  stack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        if (typeof e === 'object' && e !== null && !(FAILED_REQUEST in e)) {
          const service = (context.clientName ?? 'AWS').replace(/(Document)?Client$/, '');
          const request: FailedRequest = {
            service,
            operation: (context.commandName ?? 'request').replace(/Command$/, ''),
            endpoint:
              context[SENT_TO] ??
              context.endpointV2?.url?.origin ??
              (await configuredEndpoint(config, service)) ??
              'the endpoint',
            resource: resourceOf(args.input ?? {}),
          };
          Object.defineProperty(e, FAILED_REQUEST, { value: request, enumerable: false });
        }
        throw e;
      }
    },
    { step: 'initialize', name: 'ecsEventsNameFailedRequests', override: true },
  );
  stack.add(
    (next, context) => async (args) => {
      context[SENT_TO] = endpointOf(args.request as HttpRequestLike | undefined);
      return next(args);
    },
    { step: 'build', name: 'ecsEventsRequestEndpoint', override: true },
  );
  return client;
}

/** Socket and DNS failures: nothing (or nothing that speaks HTTP) answers there. */
export const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnauthorizedOperation',
  'CredentialsProviderError',
]);

const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
]);

interface SdkErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly cause?: { readonly code?: string };
  readonly $metadata?: { readonly attempts?: number; readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
}

/** The socket or DNS code of a network failure, if it is one. */
export function networkCodeOf(e: unknown): string | undefined {
  const err = e as SdkErrorLike | undefined;
  const code = err?.code ?? err?.cause?.code;
  if (code && NETWORK_CODES.has(code)) return code;
  return err?.name === 'TimeoutError' ? 'timeout' : undefined;
}

/**
 * The AwsFailure an error is, if it came from AWS or the way to it (an SDK error, noted or not);
 * undefined for anything else. `fallbackEndpoint` names the endpoint when the request was not noted.
 */
export function awsFailureOf(e: unknown, fallbackEndpoint = 'the AWS endpoint'): AwsFailure | undefined {
  if (e instanceof AwsFailure) return e;
  if (typeof e !== 'object' || e === null) return undefined;
  const err = e as SdkErrorLike;
  const request = failedRequestOf(e);
  // An error from AWS or the way to it: an answer ($metadata), a network failure, no credentials. A noted
  // error without any of these (a marshalling mistake in the request, ...) is ours, not AWS's.
  const fromAws =
    err.$metadata !== undefined || networkCodeOf(e) !== undefined || err.name === 'CredentialsProviderError';
  if (!fromAws) return undefined;
  const endpoint = request?.endpoint ?? fallbackEndpoint;
  const service = request?.service ?? 'AWS';
  const what = request ? `${request.operation}${request.resource ? ` on ${request.resource}` : ''}` : 'a request';
  const said = oneLine(`${err.name ?? 'Error'}: ${err.message ?? ''}`);
  const failure = (code: CodeOf<'aws'>, message: string) => new AwsFailure(code, message, { endpoint, cause: e });
  const network = networkCodeOf(e);
  if (network !== undefined)
    return failure('ENDPOINT_UNREACHABLE', `cannot reach ${service} at ${endpoint} (${network}) for ${what}`);
  if (ACCESS_DENIED.has(err.name ?? '') || err.$metadata?.httpStatusCode === 403) {
    return failure('ACCESS_DENIED', `${service} at ${endpoint} denied ${what} (${said})`);
  }
  if (err.name === 'ResourceNotFoundException') {
    const code =
      request?.resource?.startsWith('table') || request?.resource?.startsWith('index')
        ? 'TABLE_MISSING'
        : 'RESOURCE_MISSING';
    return failure(
      code,
      `${request?.resource ?? 'a resource'} does not exist at ${endpoint} (${request?.operation ?? 'request'}: ${said})`,
    );
  }
  if (THROTTLED.has(err.name ?? '') || err.$retryable?.throttling || err.$metadata?.httpStatusCode === 429) {
    const attempts = err.$metadata?.attempts;
    return failure(
      'THROTTLED',
      `${service} at ${endpoint} throttled ${what}${attempts ? ` after ${attempts} attempts` : ''} (${said})`,
    );
  }
  return failure('AWS_ERROR', `${service} at ${endpoint} failed ${what} (${said})`);
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

/**
 * An SDK error that says the environment lacks a setting the SDK needs before it can send anything
 * (no region): how the command was run, so a usage error (CONFIG_INVALID) saying what to set.
 */
export function sdkConfigErrorOf(e: unknown): UsageError | undefined {
  const message = (e as Error | undefined)?.message;
  if (typeof message !== 'string' || !/^Region is missing/.test(message)) return undefined;
  const service = failedRequestOf(e)?.service ?? 'AWS';
  return new UsageError(`no AWS region for ${service}: set AWS_REGION (or a region in the AWS profile, AWS_PROFILE)`, {
    code: 'CONFIG_INVALID',
    cause: e,
  });
}
