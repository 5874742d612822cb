import type { ReportWindow } from './tasks.js';
import type { InstanceHealth, InstanceVersion } from './versions.js';

/** A stretch of time in one status; `end` undefined: still so at the end of what was read. */
export interface Span {
  readonly status: string;
  readonly start: number;
  readonly end: number | undefined;
}

/** One container instance's lane: status spans, agent disconnections, health when reported. */
export interface InstanceLane {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string | undefined;
  readonly spans: readonly Span[];
  /** While ACTIVE or DRAINING with `agentConnected` false (INACTIVE instances have no agent to speak of). */
  readonly disconnections: readonly { readonly start: number; readonly end: number | undefined }[];
  readonly health: readonly Span[];
}

const SERVING = new Set(['ACTIVE', 'DRAINING']);

/** Consecutive equal statuses merged; starts never step back (envelope times have whole seconds). */
function spansOf(points: readonly { status: string; time: number }[]): Span[] {
  const spans: { status: string; start: number; end: number | undefined }[] = [];
  for (const p of points) {
    const last = spans.at(-1);
    if (last?.status === p.status) continue;
    const start = last ? Math.max(last.start, p.time) : p.time;
    if (last) last.end = start;
    spans.push({ status: p.status, start, end: undefined });
  }
  return spans;
}

const visible = <T extends { start: number; end: number | undefined }>(items: readonly T[], w: ReportWindow): T[] =>
  items.filter((s) => s.start < w.untilMs && (s.end === undefined || s.end >= w.sinceMs));

function lane(versions: readonly InstanceVersion[], health: readonly InstanceHealth[], w: ReportWindow) {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const spans = spansOf(
    sorted.flatMap((v) => (v.status === undefined ? [] : [{ status: v.status, time: v.eventTime }])),
  );
  const disconnections: { start: number; end: number | undefined }[] = [];
  let status: string | undefined;
  let last = Number.NEGATIVE_INFINITY;
  for (const v of sorted) {
    const time = Math.max(last, v.eventTime);
    last = time;
    status = v.status ?? status;
    const open = disconnections.at(-1);
    const isOpen = open !== undefined && open.end === undefined;
    const down = v.agentConnected === false && status !== undefined && SERVING.has(status);
    if (down && !isOpen) disconnections.push({ start: time, end: undefined });
    else if (!down && isOpen) open.end = time;
  }
  const healthSpans = spansOf(
    [...health]
      .sort((a, b) => a.eventTime - b.eventTime || a.version - b.version)
      .map((h) => ({ status: h.overallStatus, time: h.eventTime })),
  );
  return {
    containerInstanceArn: (sorted[0] ?? health[0])?.containerInstanceArn as string,
    ec2InstanceId: sorted.findLast((v) => v.ec2InstanceId !== undefined)?.ec2InstanceId,
    spans: visible(spans, w),
    disconnections: visible(disconnections, w),
    health: visible(healthSpans, w),
  };
}

/**
 * The container-instance lanes of a window, from instance versions (include the version in force at
 * `since`, so that the first span starts before the window) and health changes. Versions at or after
 * `until` are ignored. An instance that was INACTIVE for the whole window has no lane. Ordered by ARN.
 */
export function instanceLanes(
  versions: Iterable<InstanceVersion>,
  health: Iterable<InstanceHealth>,
  window: ReportWindow,
): InstanceLane[] {
  const byArn = new Map<string, { versions: InstanceVersion[]; health: InstanceHealth[] }>();
  const entry = (arn: string) => {
    let e = byArn.get(arn);
    if (!e) {
      e = { versions: [], health: [] };
      byArn.set(arn, e);
    }
    return e;
  };
  for (const v of versions) if (v.eventTime < window.untilMs) entry(v.containerInstanceArn).versions.push(v);
  for (const h of health) if (h.eventTime < window.untilMs) entry(h.containerInstanceArn).health.push(h);
  return [...byArn.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => lane(e.versions, e.health, window))
    .filter((l) => l.spans.some((s) => s.status !== 'INACTIVE') || l.health.length > 0);
}
