import { type AttributeValue, ConditionalCheckFailedException, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { attributeMapSize, itemSize, writeUnits } from './itemSize.js';

/** The slice of an SDK v3 client (or document client, which shares its client's stack) we instrument. */
interface Instrumentable {
  readonly middlewareStack: {
    add(middleware: unknown, options: { step: 'finalizeRequest'; priority: 'low'; name: string }): void;
    add(middleware: unknown, options: { step: 'initialize'; priority: 'low'; name: string }): void;
    remove(name: string): boolean;
  };
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
/** Single-item writes: their ConsumedCapacity is one write, and a condition may refuse them. */
const ITEM_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/**
 * Capacity units, keyed by table (its name without the benchmark's `-bench-…` suffix, so `ECSEventLog`)
 * and by `table.index`.
 */
export interface Capacity {
  /** Read units DynamoDB (Local) reported (`ReturnConsumedCapacity: INDEXES`). */
  read: Record<string, number>;
  /** Write units DynamoDB (Local) reported, tables and each index. */
  write: Record<string, number>;
  /**
   * Write units of refused conditional writes, per table: DynamoDB bills one by the size of the item it
   * holds (at least one unit); DynamoDB Local reports nothing for them, so they are computed from the
   * stored item (bench/support/itemSize.ts), which the request asks back (ALL_OLD).
   */
  refused: Record<string, number>;
  /** Refused conditional writes per table. */
  refusedWrites: Record<string, number>;
  /** Successful single-item writes per table and per index, by the units each took: `{ ECSEventLog: { '1': 812 } }`. */
  unitsPerWrite: Record<string, Record<string, number>>;
}

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
  capacity: Capacity;
}

export interface RequestCounter {
  readonly counts: RequestCounts;
  reset(): void;
  /** A copy of the counts, for before/after differences. */
  snapshot(): RequestCounts;
  detach(): void;
}

const zeroCapacity = (): Capacity => ({ read: {}, write: {}, refused: {}, refusedWrites: {}, unitsPerWrite: {} });

const zero = (): RequestCounts => ({
  reads: 0,
  writes: 0,
  conditionFailed: 0,
  batchItems: 0,
  other: 0,
  byCommand: {},
  capacity: zeroCapacity(),
});

/** `ECSEventLog-bench-ingest-1a2b3c` → `ECSEventLog`: figures count by table, whatever its fresh name. */
export const tableRole = (tableName: string | undefined): string => (tableName ?? '?').replace(/-bench-.*$/, '');

const add = (into: Record<string, number>, key: string, n: number) => {
  if (n) into[key] = (into[key] ?? 0) + n;
};

/** The commands that take ReturnConsumedCapacity. */
const METERED = new Set([...READS, ...WRITES]);

function record(capacity: Capacity, command: string, reported: ConsumedCapacity | ConsumedCapacity[] | undefined) {
  const kind = WRITES.has(command) ? capacity.write : capacity.read;
  for (const c of Array.isArray(reported) ? reported : reported ? [reported] : []) {
    const table = tableRole(c.TableName);
    const indexes = Object.entries(c.GlobalSecondaryIndexes ?? {});
    const onTable = c.Table?.CapacityUnits ?? (indexes.length === 0 ? (c.CapacityUnits ?? 0) : 0);
    add(kind, table, onTable);
    for (const [name, units] of indexes) add(kind, `${table}.${name}`, units.CapacityUnits ?? 0);
    if (!ITEM_WRITES.has(command)) continue;
    const histogram = (key: string, units: number) => {
      const h = capacity.unitsPerWrite[key] ?? {};
      h[String(units)] = (h[String(units)] ?? 0) + 1;
      capacity.unitsPerWrite[key] = h;
    };
    histogram(table, onTable);
    for (const [name, units] of indexes) histogram(`${table}.${name}`, units.CapacityUnits ?? 0);
  }
}

/** What a refused conditional write costs on DynamoDB: the stored item's size in write units, at least one. */
function refusedUnits(error: { Item?: Record<string, AttributeValue> }, input: { Item?: Record<string, unknown> }) {
  if (error.Item) return writeUnits(attributeMapSize(error.Item));
  return input.Item ? writeUnits(itemSize(input.Item)) : 1;
}

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
  // Asks every request for its consumed capacity (and a refused write for the item that refused it),
  // before the request is serialized: the bench's clients only, production code is unchanged.
  client.middlewareStack.add(
    (next: (args: { input?: unknown }) => Promise<{ output?: unknown }>, context: { commandName?: string }) =>
      async (args: { input?: unknown }) => {
        const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        if (!METERED.has(command)) return next(args);
        const input: Record<string, unknown> = { ...(args.input as object), ReturnConsumedCapacity: 'INDEXES' };
        if (ITEM_WRITES.has(command) && input.ConditionExpression !== undefined)
          input.ReturnValuesOnConditionCheckFailure ??= 'ALL_OLD';
        try {
          const result = await next({ ...args, input });
          const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] } | undefined;
          record(counts.capacity, command, output?.ConsumedCapacity);
          return result;
        } catch (e) {
          if ((e as Error).name === 'ConditionalCheckFailedException') {
            const table = tableRole(input.TableName as string | undefined);
            add(counts.capacity.refused, table, refusedUnits(e as never, input as never));
            add(counts.capacity.refusedWrites, table, 1);
          }
          throw e;
        }
      },
    { step: 'initialize', priority: 'low', name: `${name}Capacity` },
  );
  return {
    counts,
    reset() {
      Object.assign(counts, zero());
    },
    snapshot: () => ({ ...counts, byCommand: { ...counts.byCommand }, capacity: structuredClone(counts.capacity) }),
    detach() {
      client.middlewareStack.remove(name);
      client.middlewareStack.remove(`${name}Capacity`);
    },
  };
}

function since(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d) out[k] = d;
  }
  return out;
}

/** Counts added between two snapshots. */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  const byCommand = since(before.byCommand, after.byCommand);
  const c = (k: keyof Omit<Capacity, 'unitsPerWrite'>) => since(before.capacity[k], after.capacity[k]);
  const unitsPerWrite = Object.fromEntries(
    Object.entries(after.capacity.unitsPerWrite).map(([k, h]) => [k, since(before.capacity.unitsPerWrite[k] ?? {}, h)]),
  );
  return {
    reads: after.reads - before.reads,
    writes: after.writes - before.writes,
    conditionFailed: after.conditionFailed - before.conditionFailed,
    batchItems: after.batchItems - before.batchItems,
    other: after.other - before.other,
    byCommand,
    capacity: {
      read: c('read'),
      write: c('write'),
      refused: c('refused'),
      refusedWrites: c('refusedWrites'),
      unitsPerWrite,
    },
  };
}
