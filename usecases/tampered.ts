import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FindingError, UsageError } from '../domain/errors.js';
import { type TamperedKeys, trustMarker } from '../domain/tamper.js';
import { appendTamperMarker, readItemsAt, readTamperedKeys } from '../infra/tamperLog.js';

/**
 * One tampered key of the log, and what it holds now:
 * - `excluded`: other content than it had when it was appended: never projected;
 * - `removed`: the item is gone;
 * - `trusted`: what projection reads is the original content (restored on purpose, or the change
 *   touched only stamps such as ingestedAt): projected again.
 */
export interface TamperedEntry {
  readonly arn: string;
  readonly version: number;
  readonly change: 'MODIFY' | 'REMOVE';
  /** ISO time the projector saw it. */
  readonly detectedAt: string;
  readonly state: 'excluded' | 'removed' | 'trusted';
}

export interface TamperStatus {
  readonly keys: TamperedKeys;
  /** By ARN, then version. */
  readonly entries: TamperedEntry[];
  /** Resources with a key that is not trusted: rebuild projects them without it, verify neither checks nor repairs them. */
  readonly held: Set<string>;
}

/** The log's tampered keys (its markers) and the state of each (one Query, and BatchGetItem when there are any). */
export async function tamperStatus(doc: DynamoDBDocumentClient, eventLog: string): Promise<TamperStatus> {
  const keys = await readTamperedKeys(doc, eventLog);
  const markers = keys.markers();
  const now = new Map(
    (
      await readItemsAt(
        doc,
        eventLog,
        markers.map((m) => ({ arn: m.tamperedArn, version: m.version })),
      )
    ).map((item) => [`${String(item.arn)}\u0000${String(item.version)}`, item]),
  );
  const entries = markers
    .map((m): TamperedEntry => {
      const item = now.get(`${m.tamperedArn}\u0000${m.version}`);
      const trusted = item !== undefined && keys.holdsTrustedContent(m, item);
      return {
        arn: m.tamperedArn,
        version: m.version,
        change: m.change,
        detectedAt: new Date(m.eventTime).toISOString(),
        state: item === undefined ? 'removed' : trusted ? 'trusted' : 'excluded',
      };
    })
    .sort((a, b) => a.arn.localeCompare(b.arn) || a.version - b.version);
  return { keys, entries, held: new Set(entries.filter((e) => e.state !== 'trusted').map((e) => e.arn)) };
}

/**
 * `ecs-events trust-tampered`: an operator vouches for what a tampered key holds now, after a
 * deliberate fix that is not the original content (a poison item repaired in place, with the lock
 * lifted). Appends a trust marker with the digest of the current content; rebuild and verify then
 * project it again. Refuses a key that is not tampered, or is gone (restore it first), or that already
 * holds trusted content; a second, different fix of one key cannot be trusted (the marker is written once).
 */
export async function trustTampered(
  doc: DynamoDBDocumentClient,
  eventLog: string,
  key: { readonly arn: string; readonly version: number },
  nowMs: number = Date.now(),
): Promise<TamperedEntry> {
  const status = await tamperStatus(doc, eventLog);
  const entry = status.entries.find((e) => e.arn === key.arn && e.version === key.version);
  if (!entry)
    throw new UsageError(`${key.arn} v${key.version} is not a tampered key of ${eventLog}`, { code: 'NOT_TAMPERED' });
  if (entry.state === 'trusted') return entry;
  if (entry.state === 'removed')
    throw new FindingError('TAMPERED_KEY_REMOVED', `${key.arn} v${key.version} is gone from the log: restore it first`);
  if (status.keys.trust(key.arn, key.version)) {
    throw new FindingError(
      'TRUSTED_OTHER_CONTENT',
      `${key.arn} v${key.version} was trusted with other content than it holds now`,
    );
  }
  const [item] = await readItemsAt(doc, eventLog, [key]);
  if (!item)
    throw new FindingError('TAMPERED_KEY_REMOVED', `${key.arn} v${key.version} is gone from the log: restore it first`);
  await appendTamperMarker(doc, eventLog, trustMarker({ key, item, trustedAt: nowMs }));
  return { ...entry, state: 'trusted' };
}
