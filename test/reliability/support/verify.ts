import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { canonicalJson } from '../../../domain/canonical.js';
import { decodeStoredEvent } from '../../../domain/eventCodec.js';
import type { ParsedEvent } from '../../../domain/eventTypes.js';
import { isStateKind, KINDS } from '../../../domain/kinds.js';
import { parseEvent } from '../../../domain/parseEvent.js';
import type { TableNames } from '../../../infra/config.js';

/** What the store should hold after a set of events, whatever their delivery. */
export interface Verdict {
  /** Accepted events missing from the log, and resources with no row. */
  lost: number;
  /** Rows below the highest version in the log. */
  stale: number;
  /** Log items nobody sent, or two items for one event. */
  extra: number;
  /** Log items or rows whose fields are not those of their event. */
  wrong: number;
  /** Up to 20 human-readable findings, for the failure message. */
  findings: string[];
}

/** Parses events the way ingest does (redaction on unless said otherwise); refused ones are left out. */
export function accepted(events: readonly unknown[], redactEnvironment = true): ParsedEvent[] {
  const out: ParsedEvent[] = [];
  for (const e of events) {
    const r = parseEvent(e, { redactEnvironment });
    if (r.ok) out.push(r.value);
  }
  return out;
}

/** Distinct (arn, version) of task and instance events; service events are distinct by their whole content. */
export function distinctKeys(parsed: readonly ParsedEvent[]): Set<string> {
  return new Set(
    parsed.map((p) => (isStateKind(p.kind) ? `${p.arn}#${p.version}` : `${p.arn}#${canonicalJson(p.event)}`)),
  );
}

async function queryLog(doc: DynamoDBDocumentClient, table: string, arn: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'arn = :arn',
        ExpressionAttributeValues: { ':arn': arn },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

async function getRows(
  doc: DynamoDBDocumentClient,
  table: string,
  keyName: string,
  arns: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const rows = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < arns.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = arns.slice(i, i + 100).map((arn) => ({ [keyName]: arn }));
    while (keys && keys.length > 0) {
      const out = await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const row of out.Responses?.[table] ?? []) rows.set(row[keyName] as string, row);
      keys = out.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return rows;
}

const sameValue = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/**
 * Checks the store against the events that were accepted (already parsed, so redacted as ingest stores
 * them): the log holds exactly one item per distinct event with that event's content, and (unless
 * `rows: false`) each latest-state row is the highest version with every field of that version's `detail`.
 */
export async function verifyStore(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  events: readonly ParsedEvent[],
  options: { rows?: boolean } = {},
): Promise<Verdict> {
  const v: Verdict = { lost: 0, stale: 0, extra: 0, wrong: 0, findings: [] };
  const note = (finding: string) => {
    if (v.findings.length < 20) v.findings.push(finding);
  };
  const byArn = new Map<string, ParsedEvent[]>();
  for (const p of events) byArn.set(p.arn, [...(byArn.get(p.arn) ?? []), p]);

  const highest = new Map<string, ParsedEvent>();
  for (const [arn, expected] of byArn) {
    const stored = await queryLog(doc, tables.eventLog, arn);
    const kind = (expected[0] as ParsedEvent).kind;
    if (isStateKind(kind)) {
      const want = new Map(expected.map((p) => [p.version, p]));
      const have = new Map(stored.map((i) => [i.version as number, i]));
      for (const [version, p] of want) {
        const item = have.get(version);
        if (!item) {
          v.lost++;
          note(`log: ${arn} v${version} missing`);
        } else if (!sameValue(JSON.parse(decodeStoredEvent(item)).detail, p.event.detail)) {
          v.wrong++;
          note(`log: ${arn} v${version} holds other content`);
        }
      }
      for (const version of have.keys()) {
        if (!want.has(version)) {
          v.extra++;
          note(`log: ${arn} v${version} was never sent`);
        }
      }
      const top = [...want.values()].reduce((a, b) => (b.version > a.version ? b : a));
      highest.set(arn, top);
    } else {
      // Service and deployment events: one item per distinct event, whatever derived version it took.
      const want = new Set(expected.map((p) => canonicalJson(p.event)));
      const have = stored.map((i) => canonicalJson(JSON.parse(decodeStoredEvent(i))));
      for (const e of want) if (!have.includes(e)) v.lost++;
      v.extra += have.length - new Set(have).size + have.filter((e) => !want.has(e)).length;
    }
  }

  if (options.rows === false) return v;
  for (const kind of ['task', 'instance'] as const) {
    const keyName = KINDS[kind].state.key;
    const table = kind === 'task' ? tables.taskState : tables.instanceState;
    const tops = [...highest.values()].filter((p) => p.kind === kind);
    const rows = await getRows(
      doc,
      table,
      keyName,
      tops.map((p) => p.arn),
    );
    for (const top of tops) {
      const row = rows.get(top.arn);
      if (!row) {
        v.lost++;
        note(`row: ${top.arn} missing (want v${top.version})`);
        continue;
      }
      if ((row.version as number) < top.version) {
        v.stale++;
        note(`row: ${top.arn} at v${row.version}, want v${top.version}`);
        continue;
      }
      if (row.version !== top.version) {
        v.wrong++;
        note(`row: ${top.arn} at v${row.version}, above the log's v${top.version}`);
        continue;
      }
      for (const [field, value] of Object.entries(top.event.detail)) {
        if (value !== undefined && !sameValue(row[field], value)) {
          v.wrong++;
          note(`row: ${top.arn} v${top.version} field ${field} differs`);
          break;
        }
      }
    }
  }
  return v;
}
