import { FindingError } from '../errors.js';
import { decodeStoredEvent, type StoredEventValue } from '../eventCodec.js';
import type { EcsEvent } from '../eventTypes.js';

/** The part of a log item the audit views read (domain/logItem.ts has the full shape). */
export interface StoredEvent {
  readonly arn: string;
  readonly version: number;
  readonly detailType: string;
  readonly eventTime: number;
  readonly eventId?: string | undefined;
  /** The raw event as stored, in any codec (domain/eventCodec.ts). */
  readonly event: StoredEventValue;
}

/** The stored event, parsed. The log holds only events that passed validation, so this is a plain parse. */
export function parseStored(item: StoredEvent): EcsEvent {
  const event = JSON.parse(decodeStoredEvent(item)) as EcsEvent;
  if (event === null || typeof event !== 'object' || typeof event.detail !== 'object' || event.detail === null) {
    throw new FindingError(
      'LOG_ITEM_CORRUPT',
      `log item ${item.arn} v${item.version}: event is not an object with a detail`,
    );
  }
  return event;
}

export const detailOf = (item: StoredEvent): Record<string, unknown> => parseStored(item).detail;
