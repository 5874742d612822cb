import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchGetAll } from '../infra/batchGet.js';
import { createDocumentClient } from '../infra/client.js';
import { createTable, deleteTable } from '../infra/tableAdmin.js';
import { uniqueTables } from './support/pipeline.js';

const table = uniqueTables(import.meta.filename).eventLog;
const client = new DynamoDBClient({});
const STORED = 150;
const key = (i: number) => ({ arn: `arn:aws:ecs:us-east-1:123456789012:task/c/t${i}`, version: 1 });

beforeAll(async () => {
  await createTable(client, 'eventLog', table);
  const doc = createDocumentClient();
  for (let i = 0; i < STORED; i += 25) {
    const items = Array.from({ length: Math.min(25, STORED - i) }, (_, j) => ({ ...key(i + j), detailType: 'x' }));
    await doc.send(
      new BatchWriteCommand({ RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) } }),
    );
  }
  doc.destroy();
});
afterAll(async () => {
  await deleteTable(client, table);
  client.destroy();
});

/**
 * A real client whose BatchGetItem responses DynamoDB Local served in full, but which hands back only
 * the first `served` items of each and reports the rest as UnprocessedKeys, as a throttled table does.
 */
function partlyServed(served: number) {
  const doc = createDocumentClient();
  const stats = { requests: 0 };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'BatchGetItemCommand') return result;
      stats.requests++;
      const output = result.output as { Responses?: Record<string, Record<string, unknown>[]> } & {
        UnprocessedKeys?: Record<string, { Keys: Record<string, unknown>[] }>;
      };
      const items = output.Responses?.[table] ?? [];
      const held = items.slice(served).map((item) => ({ arn: item.arn, version: item.version }));
      output.Responses = { [table]: items.slice(0, served) };
      if (held.length > 0) output.UnprocessedKeys = { [table]: { Keys: held } };
      return result;
    },
    { step: 'finalizeRequest', priority: 'low', name: 'withholdBatchGetItems' },
  );
  return { doc, stats };
}

describe('batchGetAll', () => {
  it('reads every stored key once: chunks of 100, duplicates dropped, unprocessed keys asked again', async () => {
    const { doc, stats } = partlyServed(40);
    const keys = [...Array.from({ length: 220 }, (_, i) => key(i)), key(3), key(7), key(3)];
    const items = await batchGetAll<{ arn: string }>(doc, table, keys, { attributes: ['arn', 'version'] });
    doc.destroy();
    expect(items.map((i) => i.arn).sort()).toEqual(Array.from({ length: STORED }, (_, i) => key(i).arn).sort());
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(['arn', 'version']);
    // 220 distinct keys: chunks of 100, 100 and 20; at most 40 items served per request.
    expect(stats.requests).toBeGreaterThanOrEqual(Math.ceil(STORED / 40));
  });

  it('gives up with an error naming the table after a bounded number of requests', async () => {
    const { doc, stats } = partlyServed(0);
    await expect(batchGetAll(doc, table, [key(1), key(2)])).rejects.toThrow(
      new RegExp(`BatchGetItem on table "${table}" left 2 keys unprocessed after \\d+ requests`),
    );
    doc.destroy();
    expect(stats.requests).toBe(8);
  });
});
