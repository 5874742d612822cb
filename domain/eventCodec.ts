import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ECS_EVENT_DICTIONARY_V1 } from './eventCodecDictionary.js';

// How a log item holds its raw event (the `event` attribute). The one place that knows: the log item
// (domain/logItem.ts) encodes here, every reader decodes here, whatever format the item was written in.
//
// - `plain`: a String attribute holding the event's JSON. Every item written before issue 15, and any
//   event that would not shrink. Readable for ever.
// - `deflate-ecs-1`: a Binary attribute, first byte 0x01, then the JSON as raw deflate (RFC 1951) with the
//   preset dictionary ECS_EVENT_DICTIONARY_V1 (domain/eventCodecDictionary.ts, frozen with this id).
//
// A codec id is never reused or changed: a better dictionary or another algorithm gets the next byte, and
// the decoder keeps every id it ever knew. Query attributes (keys, detailType, eventTime, summary fields)
// stay plain beside the event; only the body is encoded.

export type EventCodec = 'plain' | 'deflate-ecs-1';

/** What the `event` attribute holds: a JSON string (plain) or codec-tagged bytes. */
export type StoredEventValue = string | Uint8Array;

/** First byte of a Binary `event`: which codec wrote the rest. */
const CODEC_IDS: Readonly<Record<number, Exclude<EventCodec, 'plain'>>> = { 1: 'deflate-ecs-1' };

/** An ECS event is at most 256 KiB; anything inflating far past that is not an event (a corrupted item). */
const MAX_EVENT_BYTES = 1024 * 1024;

export class EventCodecError extends Error {
  override readonly name = 'EventCodecError';
}

const deflateEcs1 = (json: string): Uint8Array => {
  const body = deflateRawSync(json, { level: 9, memLevel: 9, dictionary: ECS_EVENT_DICTIONARY_V1 });
  const out = new Uint8Array(body.length + 1);
  out[0] = 0x01;
  out.set(body, 1);
  return out;
};

const inflateEcs1 = (bytes: Uint8Array): string =>
  inflateRawSync(bytes.subarray(1), { dictionary: ECS_EVENT_DICTIONARY_V1, maxOutputLength: MAX_EVENT_BYTES }).toString(
    'utf8',
  );

/**
 * The `event` attribute for an event's JSON: compressed (`deflate-ecs-1`) when that is smaller, else
 * the JSON itself (`plain`). Checked by decoding it again: what is stored always decodes to `json`,
 * byte for byte.
 */
export function encodeEvent(json: string): { readonly codec: EventCodec; readonly value: StoredEventValue } {
  const bytes = deflateEcs1(json);
  if (bytes.byteLength < Buffer.byteLength(json, 'utf8') && inflateEcs1(bytes) === json) {
    return { codec: 'deflate-ecs-1', value: bytes };
  }
  return { codec: 'plain', value: json };
}

/** Which codec wrote an `event` attribute; undefined when it is neither a string nor a known binary. */
export function codecOf(value: unknown): EventCodec | undefined {
  if (typeof value === 'string') return 'plain';
  if (value instanceof Uint8Array && value.byteLength > 0) return CODEC_IDS[value[0] as number];
  return undefined;
}

/** The event's JSON from an `event` attribute of any codec. Throws EventCodecError when it cannot be read. */
export function decodeEvent(value: unknown): string {
  const codec = codecOf(value);
  if (codec === 'plain') return value as string;
  if (codec === undefined) {
    throw new EventCodecError(
      value instanceof Uint8Array
        ? `event attribute has an unknown codec id ${value.byteLength > 0 ? value[0] : '(empty)'}`
        : 'event attribute is neither a string nor a binary',
    );
  }
  try {
    return inflateEcs1(value as Uint8Array);
  } catch (e) {
    throw new EventCodecError(`event attribute (${codec}) does not inflate: ${(e as Error).message}`);
  }
}

/** The raw event JSON of a log item, whichever format it was written in. */
export const decodeStoredEvent = (item: { readonly event?: unknown }): string => decodeEvent(item.event);
