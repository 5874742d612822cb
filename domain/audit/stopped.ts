import { containerSummaries } from './history.js';

/** How a group of stopped tasks is named: the three things on-call engineers look at first. */
export interface StopKey {
  readonly stopCode: string | null;
  readonly stoppedReason: string | null;
  /** Exit code of the container that ended the task (see stoppedExitCode); null when none exited. */
  readonly exitCode: number | null;
}

export interface StoppedGroup extends StopKey {
  readonly count: number;
  /** The first tasks (in stop-time order) of the group, up to the example limit. */
  readonly examples: readonly string[];
  /**
   * Who stopped the group's tasks, when the log holds the StopTask calls (domain/apiCalls/joins.ts):
   * principals by number of tasks, most first. Absent when no task of the group has one.
   */
  readonly stoppedBy?: readonly { readonly principal: string; readonly tasks: number }[];
}

/**
 * The exit code of the essential container that stopped a task. The event does not say which
 * containers are essential (that is in the task definition), so: the first container with a non-zero
 * exit code (an essential container exiting is what stops a task), else the first with any exit code.
 */
export function stoppedExitCode(containers: unknown): number | null {
  const exited = (containerSummaries(containers) ?? []).filter((c) => c.exitCode !== undefined);
  return (exited.find((c) => c.exitCode !== 0) ?? exited[0])?.exitCode ?? null;
}

export function stopKey(detail: Record<string, unknown>): StopKey {
  return {
    stopCode: typeof detail.stopCode === 'string' ? detail.stopCode : null,
    stoppedReason: typeof detail.stoppedReason === 'string' ? detail.stoppedReason : null,
    exitCode: stoppedExitCode(detail.containers),
  };
}

const groupId = (k: StopKey): string => JSON.stringify([k.stopCode, k.stoppedReason, k.exitCode]);

const compareNullable = <T extends string | number>(a: T | null, b: T | null): number =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

/**
 * Counts the tasks that stopped in a window, each task once: a task can emit several STOPPED
 * events (a later version may add an exit code), and the highest version seen is the one counted.
 * Feed it STOPPED task events in time order. Memory is one entry per stopped task, not per event.
 */
export class StoppedTally {
  private readonly tasks = new Map<string, { version: number; key: StopKey; stoppedBy?: string }>();

  /** `stoppedBy`: the principal of the StopTask call that stopped the task, when the log holds it. */
  add(taskArn: string, version: number, key: StopKey, stoppedBy?: string): void {
    const seen = this.tasks.get(taskArn);
    if (seen && seen.version >= version) return;
    // Delete first so the map's order is the order of each task's counted event (examples come first-stopped first).
    this.tasks.delete(taskArn);
    this.tasks.set(taskArn, { version, key, ...(stoppedBy !== undefined && { stoppedBy }) });
  }

  get taskCount(): number {
    return this.tasks.size;
  }

  /** Groups by stopCode, stoppedReason and exit code; largest first, then by key. */
  groups(examplesPerGroup = 3): StoppedGroup[] {
    const groups = new Map<string, { key: StopKey; count: number; examples: string[]; by: Map<string, number> }>();
    for (const [taskArn, { key, stoppedBy }] of this.tasks) {
      const id = groupId(key);
      let g = groups.get(id);
      if (!g) {
        g = { key, count: 0, examples: [], by: new Map() };
        groups.set(id, g);
      }
      g.count++;
      if (g.examples.length < examplesPerGroup) g.examples.push(taskArn);
      if (stoppedBy !== undefined) g.by.set(stoppedBy, (g.by.get(stoppedBy) ?? 0) + 1);
    }
    const principals = (by: Map<string, number>) =>
      [...by]
        .map(([principal, tasks]) => ({ principal, tasks }))
        .sort((a, b) => b.tasks - a.tasks || a.principal.localeCompare(b.principal));
    return [...groups.values()]
      .map(({ key, count, examples, by }) => ({
        ...key,
        count,
        examples,
        ...(by.size > 0 && { stoppedBy: principals(by) }),
      }))
      .sort(
        (a, b) =>
          b.count - a.count ||
          compareNullable(a.stopCode, b.stopCode) ||
          compareNullable(a.stoppedReason, b.stoppedReason) ||
          compareNullable(a.exitCode, b.exitCode),
      );
  }
}
