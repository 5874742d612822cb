import type { Reporter, TestModule } from 'vitest/node';
import type { ScenarioRow } from './scenario.js';

/**
 * Prints the reliability table at the end of the run: one row per test that recorded a scenario
 * (test/reliability/support/scenario.ts), with PASS or FAIL from vitest's own result. Used by
 * `npm run test:reliability` next to the default reporter.
 */
export default class ReliabilityTableReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: (ScenarioRow & { result: string })[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const row = test.meta().reliability;
        if (!row) continue;
        const state = test.result().state;
        rows.push({ ...row, result: state === 'passed' ? 'PASS' : state === 'failed' ? 'FAIL' : state.toUpperCase() });
      }
    }
    if (rows.length === 0) return;
    rows.sort((a, b) => a.scenario.localeCompare(b.scenario));
    process.stdout.write(`\n${formatTable(rows)}\n`);
  }
}

const COLUMNS = ['scenario', 'runs', 'events', 'lost', 'stale', 'rejected', 'result'] as const;

/** A Markdown table, so the output can be pasted into docs/guarantees.md as it is. */
export function formatTable(rows: readonly (ScenarioRow & { result: string })[]): string {
  const cells = rows.map((r) => COLUMNS.map((c) => String(r[c])));
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (values: readonly string[]) =>
    `| ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number))).join(' | ')} |`;
  // The separator row as Biome's Markdown formatter writes it, so the table can be pasted as it is.
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(COLUMNS), rule, ...cells.map(line)].join('\n');
}
