// `ecs-events load --function`: the invoke of the deployed ingest function and what comes back, and the
// function's side: a load's refusal is reported, never parked again (a replay of the failure queue
// would otherwise park its bad events once more, for ever).
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { invokeIngestFunction } from '../cli/ingestFunction.js';
import { createLambdaIngestHandler, IngestRejectedError, LOAD_CLIENT_CONTEXT } from '../functions/ingest.js';
import { createDocumentClient } from '../infra/client.js';

/** A Lambda client that answers every Invoke itself, as the service would, and keeps the requests. */
function answering(answer: { FunctionError?: string; Payload: unknown }) {
  const client = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const requests: Record<string, unknown>[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      requests.push(args.input as Record<string, unknown>);
      const Payload = new TextEncoder().encode(JSON.stringify(answer.Payload));
      return { output: { $metadata: {}, StatusCode: 200, FunctionError: answer.FunctionError, Payload } } as never;
    },
    { step: 'initialize' },
  );
  return { client, requests };
}

const event = { source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: {} };

describe('load --function', () => {
  it('invokes synchronously with the load client context and returns the ingest result', async () => {
    const { client, requests } = answering({ Payload: { outcome: 'appended', arn: 'arn:x', version: 3 } });
    const ingest = invokeIngestFunction(client, 'ecs-event-store-prod-ingest');
    expect(await ingest(event)).toEqual({ outcome: 'appended', arn: 'arn:x', version: 3 });
    const [request] = requests as [Record<string, unknown>];
    expect(request).toMatchObject({ FunctionName: 'ecs-event-store-prod-ingest', InvocationType: 'RequestResponse' });
    expect(JSON.parse(Buffer.from(request.ClientContext as string, 'base64').toString())).toEqual({
      custom: LOAD_CLIENT_CONTEXT,
    });
    expect(JSON.parse(Buffer.from(request.Payload as Uint8Array).toString())).toEqual(event);
  });

  it('turns the function error of a refusal back into the rejection, and any other error into a failure', async () => {
    const refused = answering({
      FunctionError: 'Unhandled',
      Payload: {
        errorType: 'IngestRejectedError',
        errorMessage: 'rejected [VERSION_MISSING]: detail.version is required',
      },
    });
    const error = await invokeIngestFunction(refused.client, 'f')(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestRejectedError);
    expect(error).toMatchObject({ reason: 'VERSION_MISSING', rejection: { message: 'detail.version is required' } });

    const broken = answering({
      FunctionError: 'Unhandled',
      Payload: { errorType: 'AccessDeniedException', errorMessage: 'no' },
    });
    await expect(invokeIngestFunction(broken.client, 'f')(event)).rejects.toThrow(
      'ingest function f failed: AccessDeniedException: no',
    );
    const odd = answering({ Payload: 'Simple Lambda happy path OK' });
    await expect(invokeIngestFunction(odd.client, 'f')(event)).rejects.toThrow('answered something else');
  });

  it('the function reports a refusal to a load instead of parking it; EventBridge deliveries are parked', async () => {
    const parked: unknown[] = [];
    const handler = createLambdaIngestHandler({
      doc: createDocumentClient(),
      eventLogTable: 'not-used-by-a-refusal',
      redactEnvironment: true,
      park: async (record) => {
        parked.push(record);
        return 'message-1';
      },
    });
    const bad = { ...event, detail: { taskArn: 'arn:aws:ecs:us-east-1:1:task/c/abc' } };
    const load = { clientContext: { custom: LOAD_CLIENT_CONTEXT } } as unknown as Context;
    await expect(handler(bad, load)).rejects.toBeInstanceOf(IngestRejectedError);
    expect(parked).toEqual([]);
    expect(await handler(bad, {} as Context)).toMatchObject({ outcome: 'rejected', parkedMessageId: 'message-1' });
    expect(parked).toHaveLength(1);
  });
});
