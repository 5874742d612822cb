import { checkLogItem, type StoreCallRow } from '../domain/logCheck.js';
import { scanLogItems } from '../infra/logScan.js';
import { approximateItemCount } from '../infra/tableAdmin.js';
import { defaultSegments, eachSegment, type LogScanOptions } from './segments.js';
import { type TamperedEntry, tamperStatus } from './tampered.js';

/** A scan of the log alone: no latest-state tables. */
export interface VerifyLogOptions extends Omit<LogScanOptions, 'targets'> {
  readonly onProgress?: (progress: { scanned: number; total: number }) => void;
}

export interface LogMismatch {
  readonly arn: unknown;
  readonly version: unknown;
  readonly problems: string[];
}

export interface VerifyLogReport {
  readonly eventLog: string;
  scanned: number;
  /** Items derived again from their raw event and compared. */
  checked: number;
  /** Tamper markers (the log's record of tampering): not events. */
  markers: number;
  /** Items whose raw event is not an ECS event, by `source` (the reconciler's observations). */
  notEvents: Record<string, number>;
  /**
   * The store's history: the calls that changed its own resources (kind storeCall, the self-audit
   * rules' copies), checked like every item (they are among `checked`), by event time.
   */
  storeCalls: StoreCallRow[];
  /** Items that are not what ingest would have written for their raw event, sorted by key. */
  mismatches: LogMismatch[];
  /** The tampered keys the stream showed (domain/tamper.ts), for the same picture in one report. */
  tampered: TamperedEntry[];
  seconds: number;
  /** No mismatch and no tampered key held. */
  clean: boolean;
}

/**
 * `verify --log`: a parallel Scan of the whole log, each item's key and query attributes derived
 * again from its stored raw event (domain/logCheck.ts) and compared; the append stamps (ingestedAt,
 * ingestId, expiresAt) are skipped. Reads only. Finds what the stream cannot show: an item that was
 * written wrong in the first place, or changed before the stream carried old images.
 */
export async function verifyLog(options: VerifyLogOptions): Promise<VerifyLogReport> {
  const started = Date.now();
  const totalSegments = options.segments ?? defaultSegments();
  const total = await approximateItemCount(options.client, options.eventLog);
  const tampering = await tamperStatus(options.doc, options.eventLog);
  const report: VerifyLogReport = {
    eventLog: options.eventLog,
    scanned: 0,
    checked: 0,
    markers: 0,
    notEvents: {},
    storeCalls: [],
    mismatches: [],
    tampered: tampering.entries,
    seconds: 0,
    clean: false,
  };
  await eachSegment(totalSegments, async (segment) => {
    const pages = scanLogItems(options.doc, {
      eventLog: options.eventLog,
      segment,
      totalSegments,
      pageSize: options.pageSize,
    });
    for await (const page of pages) {
      report.scanned += page.scanned;
      for (const item of page.items) {
        const check = checkLogItem(item);
        if (check.type === 'marker') report.markers++;
        else if (check.type === 'notEvent') report.notEvents[check.source] = (report.notEvents[check.source] ?? 0) + 1;
        else {
          report.checked++;
          if (check.storeCall !== undefined) report.storeCalls.push(check.storeCall);
          if (check.type === 'mismatch')
            report.mismatches.push({ arn: item.arn, version: item.version, problems: check.problems });
        }
      }
      options.onProgress?.({ scanned: report.scanned, total });
    }
  });
  report.mismatches.sort((a, b) => String(a.arn).localeCompare(String(b.arn)) || Number(a.version) - Number(b.version));
  report.storeCalls.sort((a, b) => a.eventTime - b.eventTime || a.resource.localeCompare(b.resource));
  report.clean = report.mismatches.length === 0 && tampering.held.size === 0;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
