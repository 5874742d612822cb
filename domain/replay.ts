import type { ClosedWindow } from './audit/window.js';
import { UsageError } from './errors.js';
/**
 * An EventBridge replay of the ingest bus's archive after an outage (docs/operations.md "Replay from
 * the archive"): which archive, which window, and to which rule. Replayed events are the archived
 * events again, with an extra top-level `replay-name`; ingest ignores it for keys and the duplicate
 * check, so a replay only appends what the log lacks.
 */
export interface ReplayTarget {
  /** The archive's ARN (EventBridge DescribeArchive). */
  readonly archiveArn: string;
  /** The bus the archive records: a replay can only go back to it. */
  readonly eventBusArn: string;
  /** The ingest rule: the replayed events go to it alone, not to every rule of the bus. */
  readonly ruleArn: string;
}

/** What StartReplay takes (the SDK's field names). */
export interface ReplayRequest {
  readonly ReplayName: string;
  readonly Description: string;
  readonly EventSourceArn: string;
  readonly EventStartTime: Date;
  readonly EventEndTime: Date;
  readonly Destination: { readonly Arn: string; readonly FilterArns: string[] };
}

/** EventBridge replay names: 1 to 64 of `.`, `-`, `_`, letters and digits. */
const REPLAY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

export const isReplayName = (name: string): boolean => REPLAY_NAME.test(name);

/** `ecs-events-20261101T140000Z-3f9a1c`: the window's start, then a random suffix (names are unique per account and region). */
export function replayName(sinceMs: number, suffix: string): string {
  const stamp = new Date(sinceMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `ecs-events-${stamp}-${suffix}`;
}

/** The StartReplay request of a window: [since, until) of event time, to the ingest rule only. */
export function replayRequest(target: ReplayTarget, window: ClosedWindow, name: string): ReplayRequest {
  if (!isReplayName(name))
    throw new UsageError(`replay name must be 1 to 64 of . - _ letters and digits, got "${name}"`);
  if (!(window.sinceMs < window.untilMs))
    throw new UsageError('the replay window is empty: --since must be before --until');
  return {
    ReplayName: name,
    Description: `ecs-events replay of ${new Date(window.sinceMs).toISOString()} .. ${new Date(window.untilMs).toISOString()}`,
    EventSourceArn: target.archiveArn,
    EventStartTime: new Date(window.sinceMs),
    EventEndTime: new Date(window.untilMs),
    Destination: { Arn: target.eventBusArn, FilterArns: [target.ruleArn] },
  };
}

/** Replay states after which nothing changes any more. */
export const FINAL_REPLAY_STATES = ['COMPLETED', 'CANCELLED', 'FAILED'] as const;
