/**
 * An ingest load as its own process, for the kill -9 test: reads a JSON array of events from
 * EVENTS_FILE and sends them through the real ingest handler, CONCURRENCY at a time, printing
 * {acknowledged: n} after each acknowledged event. Environment as in pollerProcess.ts.
 */
import { readFileSync } from 'node:fs';
import { createIngestHandler } from '../../../functions/ingest.js';
import { createDocumentClient } from '../../../infra/client.js';
import { readConfig } from '../../../infra/config.js';
import { inParallel } from '../../../usecases/inParallel.js';

const events = JSON.parse(readFileSync(process.env.EVENTS_FILE as string, 'utf8')) as unknown[];
const ingest = createIngestHandler({
  doc: createDocumentClient(),
  eventLogTable: readConfig().tables.eventLog,
  redactEnvironment: true,
});
let acknowledged = 0;
await inParallel(events, Number(process.env.CONCURRENCY ?? 8), async (e) => {
  await ingest(e);
  process.stdout.write(`${JSON.stringify({ acknowledged: ++acknowledged })}\n`);
});
process.stdout.write(`${JSON.stringify({ done: true })}\n`);
