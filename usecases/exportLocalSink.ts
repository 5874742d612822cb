import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stagedLine } from '../domain/archive/row.js';
import { writeArchiveFiles } from '../infra/duckdb.js';
import type { ArchiveSink } from './exportArchiver.js';

/**
 * Locally: each batch's rows become Parquet files in the archive directory, the export's layout,
 * named `live-<time>-<n>-<chunk>.parquet` (an export's own files are `export-*`). All or nothing:
 * a batch that cannot be written is reported whole, and the poller retries it.
 */
export function directorySink(dir: string): ArchiveSink {
  let n = 0;
  return {
    async put(rows) {
      mkdirSync(dir, { recursive: true });
      const work = mkdtempSync(join(dir, '.live-'));
      try {
        const staged = join(work, 'rows.ndjson');
        writeFileSync(staged, rows.map(stagedLine).join(''));
        await writeArchiveFiles({
          staged: [staged],
          outDir: dir,
          workDir: work,
          filePrefix: `live-${Date.now()}-${n++}`,
        });
        return [];
      } catch {
        return rows.map((_, i) => i);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}
