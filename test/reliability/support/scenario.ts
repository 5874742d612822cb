import type { TaskMeta } from 'vitest';

/**
 * `npm test` runs a fast seed of every reliability suite; `npm run test:reliability` sets
 * RELIABILITY=long and runs the long versions (≥ 10,000 convergence schedules).
 */
export const LONG = process.env.RELIABILITY === 'long';

/** The fast or the long number of runs. */
export const runs = (fast: number, long: number): number => (LONG ? long : fast);

/**
 * Fixed fast-check seed; RELIABILITY_SEED explores another one. Printed with every failure so that a
 * failing schedule can be replayed exactly.
 */
export const SEED = Number(process.env.RELIABILITY_SEED ?? 20261128);

/** One line of the table that `npm run test:reliability` prints (test/reliability/support/tableReporter.ts). */
export interface ScenarioRow {
  scenario: string;
  /** Schedules, kills or batches tried. */
  runs: number;
  /** Deliveries handed to ingest, duplicates and bad ones included. */
  events: number;
  /** Accepted events missing from the log, and resources with no row. */
  lost: number;
  /** Rows below the highest version in the log, or not equal to its fields. */
  stale: number;
  /** Deliveries refused with a reason code. */
  rejected: number;
}

declare module 'vitest' {
  interface TaskMeta {
    reliability?: ScenarioRow;
  }
}

/**
 * Starts this test's row in the table. The row is a live object: the test updates it as it goes, and
 * vitest hands it to the reporter when the test ends, failed or passed.
 */
export function scenario(task: { meta: TaskMeta }, name: string): ScenarioRow {
  const row: ScenarioRow = { scenario: name, runs: 0, events: 0, lost: 0, stale: 0, rejected: 0 };
  task.meta.reliability = row;
  return row;
}
