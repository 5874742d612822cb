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

/** A missing table or index, or an unreachable endpoint: said plainly, with the table and the endpoint. */
export class TableAccessError extends Error {
  override readonly name = 'TableAccessError';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT']);

/**
 * Rewrites the SDK errors an operator can fix (wrong table name, table created before its index,
 * nothing listening at the endpoint) into one sentence naming the table and the endpoint; other
 * errors pass through unchanged.
 */
export function explainDynamoError(e: unknown, context: TableContext, env: NodeJS.ProcessEnv = process.env): unknown {
  const err = e as Error & { code?: string; cause?: { code?: string } };
  const endpoint = dynamoEndpoint(env);
  const hint = context.envVar ? ` (set ${context.envVar} to the table's name)` : '';
  if (err?.name === 'ResourceNotFoundException') {
    return new TableAccessError(`table "${context.table}" does not exist at ${endpoint}${hint}`, { cause: e });
  }
  if (err?.name === 'ValidationException' && context.index && /index/i.test(err.message)) {
    return new TableAccessError(
      `table "${context.table}" at ${endpoint} has no index "${context.index}" (tables created from infra/tables.cjs have it; older tables: docs/operations.md#index-migration)`,
      { cause: e },
    );
  }
  const code = err?.code ?? err?.cause?.code;
  if (code && NETWORK_CODES.has(code)) {
    return new TableAccessError(
      `cannot reach DynamoDB at ${endpoint} (${code}) while reading table "${context.table}"; is \`ecs-events local\` running?`,
      { cause: e },
    );
  }
  return e;
}
