import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** The slice of an SDK v3 client (or document client, which shares its client's stack) we instrument. */
interface Instrumentable {
  readonly middlewareStack: {
    add(middleware: unknown, options: { step: 'finalizeRequest'; priority: 'low'; name: string }): void;
    remove(name: string): boolean;
  };
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export interface RequestCounts {
  /** DynamoDB requests that read (GetItem, Query, Scan, …), every attempt counted. */
  reads: number;
  /** DynamoDB requests that write (PutItem, UpdateItem, …), every attempt counted, refused or not. */
  writes: number;
  /** Writes refused by their condition: they cost a request (and a write unit) but change nothing. */
  conditionFailed: number;
  /** Items carried by BatchWriteItem requests (one write unit each). */
  batchItems: number;
  /** Anything else (DescribeTable, ListTables, …). */
  other: number;
  /** Requests per command name, for the JSON report. */
  byCommand: Record<string, number>;
}

export interface RequestCounter {
  readonly counts: RequestCounts;
  reset(): void;
  /** A copy of the counts, for before/after differences. */
  snapshot(): RequestCounts;
  detach(): void;
}

const zero = (): RequestCounts => ({ reads: 0, writes: 0, conditionFailed: 0, batchItems: 0, other: 0, byCommand: {} });

let nextId = 0;

/**
 * Counts the DynamoDB requests a real client sends, as SDK middleware. It sits in the finalizeRequest
 * step at low priority, inside the retry middleware, so a retried request counts once per attempt:
 * that is what DynamoDB bills. Nothing is mocked; the request still goes to DynamoDB (Local).
 */
export function countRequests(client: Instrumentable): RequestCounter {
  const counts = zero();
  const name = `benchRequestCounter${nextId++}`;
  client.middlewareStack.add(
    (next: (args: { input?: unknown }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input?: unknown }) => {
        const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        counts.byCommand[command] = (counts.byCommand[command] ?? 0) + 1;
        if (READS.has(command)) counts.reads++;
        else if (WRITES.has(command)) counts.writes++;
        else counts.other++;
        if (command === 'BatchWriteItem') {
          const items = (args.input as { RequestItems?: Record<string, unknown[]> } | undefined)?.RequestItems ?? {};
          for (const list of Object.values(items)) counts.batchItems += list.length;
        }
        try {
          return await next(args);
        } catch (e) {
          if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException')
            counts.conditionFailed++;
          throw e;
        }
      },
    { step: 'finalizeRequest', priority: 'low', name },
  );
  return {
    counts,
    reset() {
      Object.assign(counts, zero());
    },
    snapshot: () => ({ ...counts, byCommand: { ...counts.byCommand } }),
    detach() {
      client.middlewareStack.remove(name);
    },
  };
}

/** Counts added between two snapshots. */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  const byCommand: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byCommand)) {
    const d = v - (before.byCommand[k] ?? 0);
    if (d) byCommand[k] = d;
  }
  return {
    reads: after.reads - before.reads,
    writes: after.writes - before.writes,
    conditionFailed: after.conditionFailed - before.conditionFailed,
    batchItems: after.batchItems - before.batchItems,
    other: after.other - before.other,
    byCommand,
  };
}
