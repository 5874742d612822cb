import { performance } from 'node:perf_hooks';

/** Seconds taken by fn, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - start) / 1000, value };
}

/** The q-quantile (0..1) of numbers, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Rounds for the report: 3 significant digits, integers kept whole. */
export function round(n: number, digits = 3): number {
  if (!Number.isFinite(n) || n === 0) return n;
  if (Math.abs(n) >= 10 ** digits) return Math.round(n);
  return Number(n.toPrecision(digits));
}

/** Progress lines on stderr, so stdout carries only the table. */
export const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
