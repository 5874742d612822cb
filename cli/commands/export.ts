import { S3Client } from '@aws-sdk/client-s3';
import { parseS3Url, putFile } from '../../infra/s3.js';
import { type ExportReport, exportLog, exportWorkDir } from '../../usecases/export.js';
import { PAGE_OPTIONS, parseInteger } from '../args.js';
import { withClients } from '../clients.js';
import { type Command, UsageError } from '../command.js';
import { LOG } from '../iamTargets.js';
import { formatTable } from '../output.js';
import { TARGET_OPTIONS } from '../targets.js';

/** Exit code of an export stopped by Ctrl-C or SIGTERM (128 + SIGINT), resumable with --resume. */
const INTERRUPTED = 130;

function printReport(r: ExportReport, s3Url?: string): void {
  const state = r.interrupted ? ' (interrupted: rerun with --resume)' : '';
  process.stdout.write(`\nexport ${r.eventLog} → ${r.out}${state}\n\n`);
  process.stdout.write(
    formatTable(
      ['measure', 'value'],
      [
        ['segments (parallel scan)', r.segments],
        ['log items scanned', r.scanned],
        ['rows written', r.rows],
        ['markers (tamper, trust: not archived)', r.markers],
        ['unreadable (not archived)', r.unreadable],
        ['days (day= partitions)', r.days],
        ['Parquet files', r.files.length],
        ['Parquet bytes', r.bytes],
        ['bytes per row', r.rows > 0 ? (r.bytes / r.rows).toFixed(1) : '-'],
        ['seconds (scan)', r.scanSeconds.toFixed(1)],
        ['seconds (total)', r.seconds.toFixed(1)],
      ],
    ),
  );
  for (const e of r.examples) process.stdout.write(`unreadable: ${e}\n`);
  if (r.complete && s3Url)
    process.stdout.write(`\n${r.files.length} file(s) put under ${s3Url}: query them with ecs-events sql --athena\n`);
  else if (r.complete)
    process.stdout.write(`\nQuery it: ecs-events sql --dir ${r.out} "SELECT count(*) FROM ecs_events"\n`);
}

const command: Command = {
  summary: 'write the whole log as Parquet files by day (parallel, resumable): the cold store, for `sql`',
  uses: [
    {
      use: 'export --out DIR',
      role: 'reader',
      grants: [{ actions: ['Scan'], on: [LOG] }],
      argv: (f) => ['export', '--out', f.file('archive')],
    },
  ],
  about: `Scans the event log in parallel and writes one row per log item (docs/sql.md: the columns) as
Parquet, SNAPPY, in hive partitions by the UTC day of the event time (DIR/day=YYYY-MM-DD/), each
file at most one Firehose buffer (64 MiB) of rows, sorted by account, region, cluster and resource:
the layout the cloud archiver writes to S3. Tamper markers and trust marks are counted, not
archived. Progress is kept in DIR/.export/ after each page; an interrupted export continues with
--resume. A finished export replaces the files of the previous one in DIR (export-*.parquet); the
local archiver's files (live-*.parquet) stay, and the view ecs_events keeps one row per item.`,
  options: {
    out: { type: 'string', value: 'DIR', help: 'the directory to write (created when missing)' },
    s3: {
      type: 'string',
      value: 'URL',
      help: 'also the backfill of the cloud cold store: put the files to s3://bucket/prefix/day=…/ (DIR is then the staging)',
    },
    segments: TARGET_OPTIONS.segments as NonNullable<(typeof TARGET_OPTIONS)['segments']>,
    resume: { type: 'boolean', help: 'continue the interrupted export in DIR instead of starting over' },
    json: { type: 'boolean', help: 'the final report as one JSON document' },
    ...PAGE_OPTIONS,
  },
  notes: [
    '',
    'Exit code 0 when complete, 130 when interrupted (rerun with --resume), 2 for a usage error.',
    'Table: EVENT_LOG_TABLE.',
  ],
  async run({ values, context }) {
    if (typeof values.out !== 'string' || values.out === '') throw new UsageError('export needs --out DIR');
    const segments = parseInteger(values.segments, '--segments', 1);
    const pageSize = parseInteger(values['page-size'], '--page-size', 1);
    const stop = new AbortController();
    const onSignal = () => {
      process.stderr.write('\nStopping after the current page of each segment…\n');
      stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const s3 = typeof values.s3 === 'string' ? parseS3Url(values.s3) : undefined;
      // A local endpoint (moto, MinIO) has no bucket host names: path-style addressing.
      const custom = context.env.AWS_ENDPOINT_URL_S3 ?? context.env.AWS_ENDPOINT_URL;
      const s3Client = s3 ? new S3Client({ ...(custom && { endpoint: custom, forcePathStyle: true }) }) : undefined;
      const report = await withClients(context, ({ doc, tables }) =>
        exportLog({
          ...(s3 && s3Client && { publish: (file, localPath) => putFile(s3Client, s3, file.path, localPath) }),
          doc,
          eventLog: tables.eventLog,
          out: values.out as string,
          segments,
          pageSize,
          resume: values.resume === true,
          signal: stop.signal,
        }),
      );
      if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(report, typeof values.s3 === 'string' ? values.s3 : undefined);
      if (!report.complete)
        process.stderr.write(
          `Export not complete; its checkpoint is in ${exportWorkDir(report.out)}: rerun with --resume.\n`,
        );
      return report.complete ? 0 : INTERRUPTED;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

export default command;
