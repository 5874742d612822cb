import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { recordsOfDocument, unwrapRecord } from '../../domain/audit/replayRecord.js';
import { explainDynamoError } from '../../infra/dynamoErrors.js';
import model from '../../infra/tables.cjs';
import { inParallel } from '../../usecases/inParallel.js';
import { parseInteger } from '../args.js';
import { withClients } from '../clients.js';
import { type Command, UsageError } from '../command.js';
import { formatTable } from '../output.js';

/** One input record and where it came from (for the report). */
interface InputRecord {
  readonly at: string;
  readonly record?: unknown;
  /** The input could not be read as JSON at all. */
  readonly notJson?: string;
}

/**
 * The records of the input, streamed: NDJSON line by line (memory stays flat), or a whole JSON
 * document (an array, an SQS message list, or one pretty-printed record), detected from the first line.
 */
async function* readRecords(input: NodeJS.ReadableStream): AsyncGenerator<InputRecord> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let mode: 'unknown' | 'ndjson' | 'document' = 'unknown';
  const whole: string[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (mode === 'document') {
      whole.push(line);
      continue;
    }
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      if (mode === 'unknown') {
        // Not one value per line: a pretty-printed document, read whole.
        mode = 'document';
        whole.push(line);
        continue;
      }
      yield { at: `line ${n}`, notJson: (e as Error).message };
      continue;
    }
    if (mode === 'unknown' && line.trimStart().startsWith('[')) {
      mode = 'document';
      whole.push(line);
      continue;
    }
    mode = 'ndjson';
    const records = recordsOfDocument(parsed);
    for (const [i, record] of records.entries())
      yield { at: records.length > 1 ? `line ${n} item ${i}` : `line ${n}`, record };
  }
  if (mode !== 'document') return;
  let document: unknown;
  try {
    document = JSON.parse(whole.join('\n'));
  } catch (e) {
    throw new UsageError(`the input is neither NDJSON nor one JSON document: ${(e as Error).message}`, {
      code: 'INPUT_UNREADABLE',
      cause: e,
    });
  }
  const records = recordsOfDocument(document);
  for (const [i, record] of records.entries()) yield { at: `item ${i}`, record };
}

interface LoadReport {
  appended: number;
  duplicate: number;
  conflict: number;
  rejected: number;
  rejections: { at: string; eventId?: string; reason: string; message: string }[];
  conflicts: { at: string; arn: string; version: number }[];
}

type IngestModule = typeof import('../../functions/ingest.js');

/**
 * Hands every record of `input` to `ingest`, `concurrency` at a time. A refused event is reported;
 * any other error stops the load: how far it got is said on stderr, and the error goes up as it is
 * (cli/main.ts gives its exit code). `eventLogTable` is where a local ingest appends (its DynamoDB
 * errors are explained naming it); undefined with --function, whose errors are Lambda's.
 */
async function loadAll(
  input: NodeJS.ReadableStream,
  ingest: ReturnType<IngestModule['createIngestHandler']>,
  Rejected: IngestModule['IngestRejectedError'],
  concurrency: number,
  eventLogTable: string | undefined,
): Promise<LoadReport> {
  const report: LoadReport = {
    appended: 0,
    duplicate: 0,
    conflict: 0,
    rejected: 0,
    rejections: [],
    conflicts: [],
  };
  const reject = (at: string, reason: string, message: string, eventId?: unknown) => {
    report.rejected++;
    report.rejections.push({ at, ...(typeof eventId === 'string' && { eventId }), reason, message });
  };
  try {
    await inParallel(readRecords(input), concurrency, async ({ at, record, notJson }) => {
      if (notJson !== undefined) return reject(at, 'INPUT_NOT_JSON', `not JSON: ${notJson}`);
      const unwrapped = unwrapRecord(record);
      if (!unwrapped.ok) return reject(at, 'INPUT_NOT_JSON', unwrapped.message);
      const eventId = (unwrapped.event as { id?: unknown } | null)?.id;
      try {
        const result = await ingest(unwrapped.event);
        report[result.outcome]++;
        if (result.outcome === 'conflict') report.conflicts.push({ at, arn: result.arn, version: result.version });
      } catch (e) {
        if (e instanceof Rejected) return reject(at, e.reason, e.rejection.message, eventId);
        if (eventLogTable === undefined) throw e;
        throw explainDynamoError(e, { table: eventLogTable, envVar: model.tables.eventLog.envVar });
      }
    });
  } catch (e) {
    const done = report.appended + report.duplicate + report.conflict + report.rejected;
    process.stderr.write(
      `load stopped after ${done} record(s) (safe to re-run: logged events come back as duplicates)\n`,
    );
    throw e;
  }
  report.rejections.sort((a, b) => a.at.localeCompare(b.at, 'en', { numeric: true }));
  report.conflicts.sort((a, b) => a.at.localeCompare(b.at, 'en', { numeric: true }));
  return report;
}

/** The report as tables: the counts, then each rejection and conflict. */
function printReport(report: LoadReport): void {
  process.stdout.write(
    formatTable(
      ['outcome', 'count'],
      [
        ['appended', report.appended],
        ['duplicate', report.duplicate],
        ['conflict', report.conflict],
        ['rejected', report.rejected],
      ],
    ),
  );
  if (report.rejections.length > 0) {
    process.stdout.write(
      `\nrejected:\n${formatTable(
        ['at', 'eventId', 'reason', 'message'],
        report.rejections.map((r) => [r.at, r.eventId, r.reason, r.message]),
      )}`,
    );
  }
  if (report.conflicts.length > 0) {
    process.stdout.write(
      `\nconflicts (same ARN and version as a logged event, other content; the logged one is kept):\n${formatTable(
        ['at', 'arn', 'version'],
        report.conflicts.map((c) => [c.at, c.arn, c.version]),
      )}`,
    );
  }
}

const command: Command = {
  summary: 'push captured events or on-failure queue records through the real ingest path',
  uses: [
    {
      // The log takes PutItem from its append roles only: the operator invokes the ingest function.
      // (Without --function, the local stack's way, it appends with the caller's own credentials.)
      use: 'load --function <ingest function> <file>',
      role: 'operator',
      grants: [{ actions: ['InvokeFunction'], on: [{ ingestFunction: true }] }],
      argv: (f) => ['load', '--function', f.ingestFunction, f.file('one.ndjson')],
    },
  ],
  about: `Reads EventBridge envelopes (a JSON array or NDJSON), the ingest function's on-failure destination
records (the event is unwrapped from requestPayload), or SQS messages holding either in their body
(alone, as a list, an SQS event {"Records":[...]} or a ReceiveMessage result {"Messages":[...]}),
and hands each event to the ingest handler, as EventBridge would. Re-running is safe: the log
is idempotent, so already-logged events come back as duplicates.

Reports appended / duplicate / conflict / rejected counts, each rejected event with its reason.
Exit code: 0 when nothing was rejected, 1 when any record was rejected (the others are loaded),
2 for a usage error (the input unreadable), 3 when AWS or the endpoint failed and the load stopped
(re-run it).`,
  positionals: ['<file|->'],
  options: {
    function: {
      type: 'string',
      value: 'NAME',
      help: `invoke the deployed ingest function NAME for each event (stack output IngestFunctionName):
the deployed log takes PutItem only from the append roles. Without it, events are appended
here, with this process's credentials (the local stack)`,
    },
    concurrency: { type: 'string', value: 'N', default: '8', help: 'ingest calls in flight' },
    json: {
      type: 'boolean',
      help: `the report as one JSON document:
{"appended":N,"duplicate":N,"conflict":N,"rejected":N,
 "rejections":[{"at":"line 3","eventId":"...","reason":"ARN_INVALID","message":"..."}],
 "conflicts":[{"at":"item 7","arn":"...","version":N}]}`,
    },
  },
  notes: [
    "Environment: EVENT_LOG_TABLE, REDACT_OVERRIDE_ENVIRONMENT, and the SDK's endpoint variables (without --function).",
  ],
  async run({ values, positionals, context }) {
    if (positionals.length !== 1) throw new UsageError('give one input: a file name, or - for stdin');
    const source = positionals[0] as string;
    const concurrency = parseInteger(values.concurrency, '--concurrency', 1) as number;
    if (source !== '-') {
      await access(source).catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${source}: ${e.code ?? e.message}`, { code: 'INPUT_UNREADABLE' });
      });
    }
    const input = source === '-' ? process.stdin : createReadStream(source);
    // The ingest function and Powertools are loaded only now: `load --help` needs neither.
    const [{ createIngestHandler, IngestRejectedError, ingestSettings }, { Logger }] = await Promise.all([
      import('../../functions/ingest.js'),
      import('@aws-lambda-powertools/logger'),
    ]);
    const functionName = values.function as string | undefined;
    if (functionName !== undefined && !/^[\w:.-]{1,170}$/.test(functionName)) {
      throw new UsageError(`--function must be a Lambda function name or ARN, got ${JSON.stringify(functionName)}`);
    }
    const invoker =
      functionName === undefined ? undefined : (await import('../ingestFunction.js')).invokeIngestFunction;
    return withClients(context, async ({ doc, config, lambda }) => {
      const settings = ingestSettings(config);
      // The report lists every rejection; the handler's own log lines would only repeat them on stdout.
      const ingest =
        invoker && functionName !== undefined
          ? invoker(lambda, functionName)
          : createIngestHandler({ doc, ...settings, logger: new Logger({ logLevel: 'SILENT' }) });
      const viaFunction = invoker !== undefined;
      const report = await loadAll(
        input,
        ingest,
        IngestRejectedError,
        concurrency,
        viaFunction ? undefined : settings.eventLogTable,
      );
      if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else printReport(report);
      return report.rejected > 0 ? 1 : 0;
    });
  },
};

export default command;
