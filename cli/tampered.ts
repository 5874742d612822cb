import type { TamperedEntry } from '../usecases/tampered.js';
import { formatTable, shortArn } from './output.js';

/** What `excluded`, `removed` and `trusted` mean for a reader of a report (usecases/tampered.ts). */
const STATE_NOTE: Record<TamperedEntry['state'], string> = {
  excluded: 'changed: never projected',
  removed: 'gone from the log',
  trusted: 'original content back: projected',
};

/** The tampered keys of a report (rebuild, verify), with a pointer to the runbook; nothing when there are none. */
export function tamperedSection(entries: readonly TamperedEntry[]): string {
  if (entries.length === 0) return '';
  const rows = entries.map((e) => [
    e.change,
    shortArn(e.arn),
    e.version,
    e.detectedAt,
    `${e.state} (${STATE_NOTE[e.state]})`,
  ]);
  return `\nTampered log keys (${entries.length}; runbook: docs/operations.md "Log tampering"):\n${formatTable(
    ['change', 'arn', 'version', 'detected at', 'now'],
    rows,
  )}`;
}
