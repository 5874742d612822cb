/// <reference lib="dom" />
import type { Offset, Ref, ReportPayload } from '../shared/payloadFormat.js';

/**
 * The payload embedded in the page (shared/payloadFormat.ts), with its task tuples decoded once
 * into objects: the rest of the script reads names, not positions.
 */
export interface TaskState {
  readonly status: string;
  readonly start: Offset;
}

export interface Container {
  readonly name: string | undefined;
  readonly lastStatus: string | undefined;
  readonly exitCode: number | null;
  readonly reason: string | undefined;
}

export interface Task {
  readonly arn: string;
  /** The ARN without the common prefix. */
  readonly id: string;
  readonly group: number;
  readonly lane: number;
  readonly taskDefinition: string | undefined;
  readonly launchType: string | undefined;
  readonly instance: string | undefined;
  readonly stopCode: string | undefined;
  readonly stoppedReason: string | undefined;
  readonly startedBy: string | undefined;
  readonly capacityProvider: string | undefined;
  readonly states: readonly TaskState[];
  /** TOOLTIP_TIMES, in their order. */
  readonly times: readonly (Offset | null)[];
  readonly containers: readonly Container[];
  /** Start of its first state (0 when it has none). */
  readonly start: Offset;
  /** Start of its STOPPED state, else the end of the window: where its bar ends. */
  readonly end: Offset;
}

/** An ECS API call (payloadFormat.ts `CallRow`), decoded. */
export interface Call {
  readonly at: Offset;
  readonly action: string;
  readonly principal: string;
  readonly principalArn: string | undefined;
  /** Index into the tasks; -1 for a call on the calls lane. */
  readonly task: number;
  /** The resource it is filed under (for a task's call, the task's ARN). */
  readonly resource: string;
  readonly errorCode: string | undefined;
  readonly reason: string | undefined;
}

export interface Report {
  readonly data: ReportPayload;
  /** The window's length (ms), at least 1. */
  readonly span: number;
  readonly tasks: readonly Task[];
  readonly calls: readonly Call[];
  /** The calls of each task (indexes into `calls`), by task index. */
  readonly callsOf: ReadonlyMap<number, readonly number[]>;
  /** Whether some call is on the calls lane (not on a task's row). */
  readonly laneCalls: boolean;
  /** The string a Ref points at; undefined for none. */
  str(ref: Ref): string | undefined;
  /** ISO-8601 of an offset; empty for none. */
  iso(offset: Offset | null | undefined): string;
}

export function readReport(): Report {
  const json = document.getElementById('report-data')?.textContent;
  if (!json) throw new Error('the report page has no #report-data');
  // Written by payload.ts from the same type: the one place the page trusts the JSON's shape.
  const data = JSON.parse(json) as ReportPayload;
  const span = Math.max(1, data.until - data.since);
  const str = (ref: Ref): string | undefined => (ref < 0 ? undefined : data.str[ref]);
  const tasks = data.tasks.map((row): Task => {
    const [
      id,
      group,
      lane,
      taskDefinition,
      launchType,
      instance,
      stopCode,
      stoppedReason,
      flat,
      times,
      containers,
      startedBy,
      capacityProvider,
    ] = row;
    const states: TaskState[] = [];
    for (let k = 0; k + 1 < flat.length; k += 2)
      states.push({ status: str(flat[k] as Ref) ?? '', start: flat[k + 1] as Offset });
    const last = states.at(-1);
    return {
      arn: data.prefix + id,
      id,
      group,
      lane,
      taskDefinition: str(taskDefinition),
      launchType: str(launchType),
      instance: str(instance),
      stopCode: str(stopCode),
      stoppedReason: str(stoppedReason),
      startedBy: str(startedBy),
      capacityProvider: str(capacityProvider),
      states,
      times,
      containers: containers.map(([name, lastStatus, exitCode, reason]) => ({
        name: str(name),
        lastStatus: str(lastStatus),
        exitCode,
        reason: str(reason),
      })),
      start: states[0]?.start ?? 0,
      end: last?.status === 'STOPPED' ? last.start : span,
    };
  });
  const callsOf = new Map<number, number[]>();
  const calls = data.calls.map(([at, action, principal, principalArn, task, resource, errorCode, reason], k): Call => {
    if (task >= 0) {
      const list = callsOf.get(task);
      if (list) list.push(k);
      else callsOf.set(task, [k]);
    }
    return {
      at,
      action: str(action) ?? '?',
      principal: str(principal) ?? '?',
      principalArn: str(principalArn),
      task,
      resource: task >= 0 ? (tasks[task]?.arn ?? '') : (str(resource) ?? ''),
      errorCode: str(errorCode),
      reason: str(reason),
    };
  });
  const iso = (offset: Offset | null | undefined) =>
    offset === null || offset === undefined ? '' : new Date(data.since + offset).toISOString();
  return { data, span, tasks, calls, callsOf, laneCalls: calls.some((c) => c.task < 0), str, iso };
}
