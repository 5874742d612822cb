// DynamoDB's item-size rules ("Item sizes and formats", Amazon DynamoDB Developer Guide), for what
// DynamoDB Local does not report: the write units of a refused conditional write (billed by the size
// of the item stored, at least one) and the bytes a table and its indexes store.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Bytes of a number: one per two significant digits, plus one (leading and trailing zeros do not count). */
function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1 + (text.startsWith('-') ? 1 : 0);
}

/** Bytes of one attribute value in DynamoDB JSON. Lists and maps: 3 bytes, plus 1 per element, plus the elements. */
export function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.byteLength;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.BS !== undefined) return v.BS.reduce((n, b) => n + b.byteLength, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + utf8(k) + valueSize(e), 0);
  return 0;
}

/** Bytes of an item in DynamoDB JSON: each attribute's name (UTF-8) plus its value. */
export const attributeMapSize = (item: Record<string, AttributeValue>): number =>
  Object.entries(item).reduce((n, [name, v]) => n + utf8(name) + valueSize(v), 0);

/** Bytes of an item as the document client would write it. */
export const itemSize = (item: Record<string, unknown>): number =>
  attributeMapSize(marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true }));

/** Write units of one standard write of an item this large: one per KB started, at least one. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** DynamoDB bills 100 bytes of overhead for every item stored, in a table and in each of its indexes. */
export const STORAGE_OVERHEAD_BYTES = 100;

/** An index's projection, as DescribeTable returns it. */
export interface IndexShape {
  readonly name: string;
  /** The index's key attributes and the table's. */
  readonly keys: readonly string[];
  readonly projectionType: string;
  readonly nonKeyAttributes: readonly string[];
}

/** The attributes of a table item that this index holds; undefined when the item lacks an index key (sparse). */
export function indexItem<T>(item: Record<string, T>, index: IndexShape): Record<string, T> | undefined {
  if (index.keys.some((k) => item[k] === undefined)) return undefined;
  if (index.projectionType === 'ALL') return item;
  const names = new Set([...index.keys, ...(index.projectionType === 'INCLUDE' ? index.nonKeyAttributes : [])]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => names.has(k)));
}
