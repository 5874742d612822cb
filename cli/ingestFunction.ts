import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { AwsFailure } from '../domain/errors.js';
import type { ReasonCode } from '../domain/rejection.js';
import { IngestRejectedError, type IngestResult, LOAD_CLIENT_CONTEXT } from '../functions/ingest.js';

/**
 * `ecs-events load --function NAME`: each event goes to the deployed ingest function (Lambda Invoke,
 * RequestResponse), so it is appended by the ingest role, the one the log's resource policy lets
 * PutItem (docs/deploy.md "Permissions"). The client context says the call is a load: the function
 * then reports a refusal (a function error, IngestRejectedError) instead of parking it again.
 * A synchronous invocation is neither retried by Lambda nor sent to the on-failure destination.
 */
export function invokeIngestFunction(
  lambda: LambdaClient,
  functionName: string,
): (event: unknown) => Promise<IngestResult> {
  const clientContext = Buffer.from(JSON.stringify({ custom: LOAD_CLIENT_CONTEXT })).toString('base64');
  return async (event) => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        ClientContext: clientContext,
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    if (out.FunctionError) {
      const message = String(body?.errorMessage ?? text);
      const refused = /^rejected \[([A-Z_]+)\]: ([\s\S]*)$/.exec(message);
      if (body?.errorType === 'IngestRejectedError' && refused) {
        throw new IngestRejectedError({ reason: refused[1] as ReasonCode, message: refused[2] as string });
      }
      // The function ran and failed (a crash, a timeout, a DynamoDB error it did not survive): AWS's side.
      throw new AwsFailure(
        'FUNCTION_FAILED',
        `ingest function ${functionName} failed: ${String(body?.errorType ?? out.FunctionError)}: ${message}`,
      );
    }
    const outcome = body?.outcome;
    if (outcome === 'appended' || outcome === 'duplicate' || outcome === 'conflict')
      return body as unknown as IngestResult;
    throw new AwsFailure(
      'FUNCTION_FAILED',
      `ingest function ${functionName} answered something else than an ingest result: ${text.slice(0, 200)}`,
    );
  };
}
