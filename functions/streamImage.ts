import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

// A DynamoDB Streams image, as Lambda hands it over: DynamoDB JSON in which a Binary value is base64
// text (the log's compressed `event`, domain/eventCodec.ts). The SDK's unmarshall keeps that text as
// it is, so the bytes are restored first; an image already holding bytes (the SDK's own stream reads)
// passes unchanged.

type Image = Record<string, AttributeValue>;

const bytes = (b: unknown): Uint8Array =>
  typeof b === 'string' ? new Uint8Array(Buffer.from(b, 'base64')) : (b as Uint8Array);

function restore(v: AttributeValue): AttributeValue {
  if (v.B !== undefined) return { B: bytes(v.B) };
  if (v.BS !== undefined) return { BS: v.BS.map(bytes) };
  if (v.L !== undefined) return { L: v.L.map(restore) };
  if (v.M !== undefined) return { M: restoreImage(v.M) };
  return v;
}

const restoreImage = (image: Image): Image =>
  Object.fromEntries(Object.entries(image).map(([k, v]) => [k, restore(v)]));

/** The item a stream image holds, its binary attributes as bytes whichever way they came. */
export const unmarshallImage = (image: unknown): Record<string, unknown> =>
  unmarshall(restoreImage((image ?? {}) as Image));
