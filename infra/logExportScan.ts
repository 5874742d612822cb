import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { logContext } from './logTable.js';
import { type PagingOptions, scanPages } from './paging.js';

/**
 * One segment of a parallel Scan of the whole log, every attribute, page by page, with where the
 * next page starts (export keeps it in its checkpoint, as rebuild does).
 */
export async function* scanLogPages(
  doc: DynamoDBDocumentClient,
  scan: PagingOptions & { readonly eventLog: string; readonly segment: number; readonly totalSegments: number },
): AsyncGenerator<{
  readonly scanned: number;
  readonly items: Record<string, unknown>[];
  readonly lastEvaluatedKey: Record<string, unknown> | undefined;
}> {
  const pages = scanPages(
    doc,
    { TableName: scan.eventLog, Segment: scan.segment, TotalSegments: scan.totalSegments },
    logContext(scan.eventLog),
    scan,
  );
  for await (const page of pages)
    yield { scanned: page.ScannedCount ?? 0, items: page.Items ?? [], lastEvaluatedKey: page.LastEvaluatedKey };
}
