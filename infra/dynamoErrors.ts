import { AwsFailure } from '../domain/errors.js';
import { failedRequestOf, networkCodeOf } from './awsErrors.js';

/** Where the DynamoDB client sends requests, as an operator would recognise it in an error message. */
function dynamoEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
  if (url) return url;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  return region ? `https://dynamodb.${region}.amazonaws.com` : 'AWS DynamoDB (region from the AWS profile)';
}

/** What a request was reading, so that an error can name it. */
export interface TableContext {
  readonly table: string;
  readonly index?: string | undefined;
  /** The environment variable that names the table, to tell the operator what to change. */
  readonly envVar?: string | undefined;
}

/**
 * Rewrites the SDK errors an operator can fix (wrong table name, table created before its index,
 * nothing listening at the endpoint) into an AwsFailure (domain/errors.ts: exit code 3) whose one
 * sentence names the table and the endpoint; other errors pass through unchanged (the Lambda handlers
 * must see the SDK's own error to be retried; the CLI classifies the rest in cli/main.ts). The
 * endpoint is the one the request went to when the client noted it (infra/awsErrors.ts), else the
 * one the environment says.
 */
export function explainDynamoError(e: unknown, context: TableContext, env: NodeJS.ProcessEnv = process.env): unknown {
  const err = e as Error | undefined;
  const endpoint = failedRequestOf(e)?.endpoint ?? dynamoEndpoint(env);
  const hint = context.envVar ? ` (set ${context.envVar} to the table's name)` : '';
  if (err?.name === 'ResourceNotFoundException') {
    return new AwsFailure('TABLE_MISSING', `table "${context.table}" does not exist at ${endpoint}${hint}`, {
      endpoint,
      cause: e,
    });
  }
  if (err?.name === 'ValidationException' && context.index && /index/i.test(err.message)) {
    return new AwsFailure(
      'INDEX_MISSING',
      `table "${context.table}" at ${endpoint} has no index "${context.index}" (tables created from infra/tables.cjs have it; older tables: docs/operations.md#index-migration)`,
      { endpoint, cause: e },
    );
  }
  const code = networkCodeOf(e);
  if (code) {
    return new AwsFailure(
      'ENDPOINT_UNREACHABLE',
      `cannot reach DynamoDB at ${endpoint} (${code}) for table "${context.table}"; is \`ecs-events local\` running?`,
      { endpoint, cause: e },
    );
  }
  return e;
}
