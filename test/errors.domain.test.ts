// The error family (domain/errors.ts), the SDK classification at the edge (infra/awsErrors.ts) and the
// exit code of each kind (cli/main.ts EXIT_CODES), against what docs/cli.md "Exit codes" promises.
import { readFileSync } from 'node:fs';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../cli/main.js';
import { AwsFailure, ERROR_CODES, type ErrorCode, FindingError, InternalError, UsageError } from '../domain/errors.js';
import { awsFailureOf, failedRequestOf, nameFailedRequests } from '../infra/awsErrors.js';

const $metadata = { httpStatusCode: 400, attempts: 5 };

describe('the error family', () => {
  it('each class has a stable code and the kind that gives its exit code', () => {
    const errors = [
      new UsageError('bad option'),
      new UsageError('no such cluster', { code: 'UNKNOWN_CLUSTER' }),
      new AwsFailure('TABLE_MISSING', 'table "x" does not exist', { endpoint: 'http://127.0.0.1:8000' }),
      new FindingError('LOG_ITEM_CORRUPT', 'log item a v1: not an event'),
      new InternalError('an invariant broke'),
    ];
    expect(errors.map((e) => [e.code, e.kind, EXIT_CODES[e.kind]])).toEqual([
      ['USAGE', 'usage', 2],
      ['UNKNOWN_CLUSTER', 'usage', 2],
      ['TABLE_MISSING', 'aws', 3],
      ['LOG_ITEM_CORRUPT', 'finding', 1],
      ['INTERNAL', 'internal', 70],
    ]);
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    // The exit codes of errors are apart from a command's own 0 (done) and 130 (interrupted).
    expect(new Set(Object.values(EXIT_CODES)).size).toBe(4);
    expect(Object.values(EXIT_CODES)).not.toContain(0);
    expect(Object.values(EXIT_CODES)).not.toContain(130);
  });

  it('docs/cli.md lists every code, with the exit code it gives', () => {
    const doc = readFileSync(new URL('../docs/cli.md', import.meta.url), 'utf8');
    const listed = Object.fromEntries(
      [...doc.matchAll(/^\| `([A-Z_]+)` +\| (\d+) +\|/gm)].map((m) => [m[1] as string, Number(m[2])]),
    );
    const expected = Object.fromEntries(
      (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => [code, EXIT_CODES[ERROR_CODES[code]]]),
    );
    expect(listed).toEqual(expected);
  });
});

describe('SDK errors as AWS failures (infra/awsErrors.ts)', () => {
  it('classifies what AWS answers by what an operator does about it', () => {
    const code = (e: unknown) => awsFailureOf(e, 'https://dynamodb.eu-west-1.amazonaws.com')?.code;
    expect(code(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata }))).toBe('THROTTLED');
    expect(code(new ResourceNotFoundException({ message: 'no table', $metadata }))).toBe('RESOURCE_MISSING');
    expect(code(new InternalServerError({ message: 'oops', $metadata: { httpStatusCode: 500 } }))).toBe('AWS_ERROR');
    expect(code(new ConditionalCheckFailedException({ message: 'no', $metadata }))).toBe('AWS_ERROR');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', $metadata });
    expect(code(refused)).toBe('ENDPOINT_UNREACHABLE');
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata });
    expect(code(denied)).toBe('ACCESS_DENIED');
    // Not an SDK error: not an AWS failure (cli/main.ts makes it an internal error, or a file error).
    expect(code(new Error('a bug'))).toBeUndefined();
    expect(code('thrown text')).toBeUndefined();
    // Ours stays ours.
    const ours = new AwsFailure('INDEX_MISSING', 'no index');
    expect(awsFailureOf(ours)).toBe(ours);
  });

  it('a client with nameFailedRequests notes where the failed request went, and the error stays the SDK one', async () => {
    // The pure suites point DynamoDB at port 9, where nothing listens.
    const client = nameFailedRequests(
      new DynamoDBClient({
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      }),
    );
    try {
      const error = await client
        .send(new GetItemCommand({ TableName: 'ECSEventLog', Key: { arn: { S: 'a' }, version: { N: '1' } } }))
        .then(
          () => undefined,
          (e: unknown) => e as Error & { code?: string },
        );
      expect(error?.code).toBe('ECONNREFUSED');
      expect(failedRequestOf(error)).toEqual({
        service: 'DynamoDB',
        operation: 'GetItem',
        endpoint: 'http://127.0.0.1:9',
        resource: 'table "ECSEventLog"',
      });
      const failure = awsFailureOf(error);
      expect(failure?.code).toBe('ENDPOINT_UNREACHABLE');
      expect(failure?.endpoint).toBe('http://127.0.0.1:9');
      expect(failure?.message).toBe(
        'cannot reach DynamoDB at http://127.0.0.1:9 (ECONNREFUSED) for GetItem on table "ECSEventLog"',
      );
      expect(failure?.cause).toBe(error);
    } finally {
      client.destroy();
    }
  });
});
