// A DynamoDB that answers inside the SDK's HTTP handler: every other step of a request runs for real
// (command, marshalling, serialisation, signing, retries, deserialisation, unmarshalling), only the
// socket is gone. For the handlers' own CPU per delivery, apart from DynamoDB Local's (bench/handlerCpu.ts).
//
// Two passes over the same deliveries, one at a time: `record` answers as DynamoDB would (a conditional
// put refused with the stored item, a get of what was put) and keeps each answer; `replay` hands the
// same answers back in the same order without parsing anything, so the measured pass spends no CPU on
// the stub beyond taking the next answer (the handlers make the same calls in the same order, since the
// answers are the same).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../infra/client.js';

interface StubRequest {
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

interface Answer {
  readonly operation: string;
  readonly statusCode: number;
  readonly body: Uint8Array;
}

type AttributeMap = Record<string, unknown>;

const CCF = 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException';

export interface StubDynamo {
  /** A document client of the project's settings whose requests this stub answers. */
  readonly doc: DynamoDBDocumentClient;
  /** From now on, answer from the recorded answers, in order (call after the recording pass). */
  replay(): void;
  /** Requests answered, by operation. */
  readonly calls: Record<string, number>;
}

/**
 * `keys`: the key attributes of each table the handlers use, by table name (a put's key is read
 * from its item, a get's from its Key).
 */
export function stubDynamo(keys: Readonly<Record<string, readonly string[]>>): StubDynamo {
  const tables = new Map<string, Map<string, AttributeMap>>();
  const recorded: Answer[] = [];
  let replayAt: number | undefined;
  const calls: Record<string, number> = {};
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const keyOf = (table: string, item: AttributeMap): string => JSON.stringify((keys[table] ?? []).map((k) => item[k]));
  const rows = (table: string) => {
    const t = tables.get(table) ?? new Map<string, AttributeMap>();
    tables.set(table, t);
    return t;
  };
  const answer = (operation: string, statusCode: number, body: unknown): Answer => ({
    operation,
    statusCode,
    body: encoder.encode(JSON.stringify(body)),
  });

  /** DynamoDB's answer to the requests ingest and the guide's function make. */
  function emulate(operation: string, input: AttributeMap): Answer {
    const table = String(input.TableName);
    if (operation === 'PutItem') {
      const item = input.Item as AttributeMap;
      const stored = rows(table).get(keyOf(table, item));
      if (stored && typeof input.ConditionExpression === 'string') {
        const old = input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? { Item: stored } : {};
        return answer(operation, 400, { __type: CCF, message: 'The conditional request failed', ...old });
      }
      rows(table).set(keyOf(table, item), item);
      return answer(operation, 200, {});
    }
    if (operation === 'GetItem') {
      const stored = rows(table).get(keyOf(table, input.Key as AttributeMap));
      return answer(operation, 200, stored ? { Item: stored } : {});
    }
    throw new Error(`the DynamoDB stub does not answer ${operation}`);
  }

  const requestHandler = {
    async handle(request: StubRequest) {
      const operation = (request.headers['x-amz-target'] ?? '').split('.')[1] ?? '?';
      calls[operation] = (calls[operation] ?? 0) + 1;
      let a: Answer;
      if (replayAt === undefined) {
        const body = typeof request.body === 'string' ? request.body : decoder.decode(request.body as Uint8Array);
        a = emulate(operation, JSON.parse(body) as AttributeMap);
        recorded.push(a);
      } else {
        const next = recorded[replayAt++];
        if (!next || next.operation !== operation)
          throw new Error(`the replay diverged at request ${replayAt}: ${operation}, recorded ${next?.operation}`);
        a = next;
      }
      return {
        response: {
          statusCode: a.statusCode,
          reason: undefined,
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'stub' },
          body: a.body,
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  const doc = createDocumentClient({
    region: 'us-east-1',
    endpoint: 'http://dynamodb.stub',
    credentials: { accessKeyId: 'stub', secretAccessKey: 'stub' },
    requestHandler: requestHandler as never,
  });
  return {
    doc,
    replay: () => {
      replayAt = 0;
    },
    calls,
  };
}
