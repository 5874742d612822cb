import { readConfig } from '../../infra/config.js';
import { type RebuildReport, rebuild } from '../../usecases/rebuild.js';
import { defaultCheckpointPath, RebuildCheckpointFile } from '../../usecases/rebuildCheckpoint.js';
import { PAGE_OPTIONS } from '../args.js';
import { withClients } from '../clients.js';
import { type Command, UsageError } from '../command.js';
import { LOG, LOG_TIMELINE, STATE } from '../iamTargets.js';
import { formatTable } from '../output.js';
import { scanProgress } from '../progress.js';
import { tamperedSection } from '../tampered.js';
import { parseScan, TARGET_OPTIONS, targetList } from '../targets.js';

/** Exit code of a rebuild stopped by Ctrl-C or SIGTERM (128 + SIGINT), resumable with --resume. */
const INTERRUPTED = 130;
/**
 * A segment stopped on an error after the SDK's retries (throttling, the endpoint gone): AWS's side,
 * the exit code of an AwsFailure (cli/main.ts EXIT_CODES). Resumable with --resume.
 */
const SEGMENT_FAILED = 3;

function printReport(r: RebuildReport): void {
  const out = process.stdout;
  const into = Object.values(r.targets).join(', ');
  const state = r.dryRun ? ' (dry run: nothing written)' : r.interrupted ? ' (interrupted)' : '';
  out.write(`\nrebuild ${r.eventLog} → ${into}${state}\n\n`);
  out.write(
    formatTable(
      ['measure', 'value'],
      [
        ['segments (parallel scan)', r.segments],
        ['log items scanned', r.scanned],
        ['ARNs (latest states found)', r.arns],
        [r.dryRun ? 'rows to write (at most)' : 'rows written', r.written],
        ['skipped, not newer', r.skippedNotNewer],
        ['expired (TTL passed, not recreated)', r.expired],
        ['missing marks folded in (reconciler ghosts)', r.marked],
        ['poison (cannot be projected)', r.poison],
        ['excluded (tampered log keys)', r.excluded],
        ['errors', r.errors],
        ['retries (throttling, 5xx)', r.retries],
        ['seconds', r.seconds.toFixed(1)],
      ],
    ),
  );
  const notes: string[] = [];
  if (r.resumedFrom) {
    notes.push(
      `Resumed: earlier runs had scanned ${r.resumedFrom.scanned} items and written ${r.resumedFrom.written} rows.`,
    );
  }
  if (r.createdTables.length > 0) notes.push(`Created ${r.createdTables.join(', ')} from infra/tables.cjs.`);
  if (notes.length > 0) out.write(`\n${notes.join('\n')}\n`);
  for (const p of r.examples.poison) out.write(`poison: ${p}\n`);
  for (const e of r.examples.errors) out.write(`error: ${e}\n`);
  out.write(tamperedSection(r.tampered));
}

/** The checkpoint on disk, read before any scan: a file that is not one is a usage error, said at once. */
function loadCheckpoint(checkpoint: RebuildCheckpointFile): ReturnType<RebuildCheckpointFile['load']> {
  try {
    return checkpoint.load();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${checkpoint.path} cannot be read as a rebuild checkpoint: ${(e as Error).message}`, {
      code: 'CHECKPOINT_UNUSABLE',
      cause: e,
    });
  }
}

const command: Command = {
  summary: 'rebuild the latest-state tables from the log (parallel, resumable)',
  uses: [
    {
      use: 'rebuild --dry-run',
      role: 'reader',
      grants: [
        { actions: ['DescribeTable', 'Scan'], on: [LOG] },
        { actions: ['Query'], on: [LOG_TIMELINE] },
      ],
      argv: () => ['rebuild', '--dry-run'],
    },
    {
      // "Only if newer" puts, and a conditional delete of an older row whose latest state has expired.
      use: 'rebuild',
      role: 'operator',
      grants: [
        { actions: ['DescribeTable', 'Scan'], on: [LOG] },
        { actions: ['Query'], on: [LOG_TIMELINE] },
        { actions: ['DescribeTable', 'PutItem', 'DeleteItem'], on: STATE },
      ],
      argv: (f) => ['rebuild', '--checkpoint', f.file('checkpoint.json')],
    },
  ],
  about: `Replays the event log into the latest-state tables: a parallel Scan, reduced per segment to the
latest state of each task and container instance, written with the live projector's "only if
newer" condition (safe while the projector runs). Service and deployment events are history only.`,
  options: {
    ...TARGET_OPTIONS,
    into: {
      type: 'string',
      value: 'SUFFIX',
      joined: true,
      help: 'rebuild <table name>SUFFIX instead (created from infra/tables.cjs when missing);\nthe blue/green switch with the deploy parameter stateTableSuffix: docs/operations.md',
    },
    force: {
      type: 'boolean',
      help: 'also rewrite rows of an equal version (changed projection logic); never a higher one',
    },
    'dry-run': { type: 'boolean', help: 'scan and count only: no table created, nothing written, no checkpoint' },
    resume: { type: 'boolean', help: 'continue the interrupted rebuild from its checkpoint instead of starting over' },
    checkpoint: {
      type: 'string',
      value: 'FILE',
      help: 'where progress is kept (default .ecs-events/rebuild-<log>-to-<tables>.json)',
    },
    json: { type: 'boolean', help: 'the final report as one JSON document' },
    ...PAGE_OPTIONS,
  },
  notes: [
    '',
    'Exit code 0 when complete, 3 when a segment stopped on an AWS error (rerun with --resume), 130 when',
    'interrupted (Ctrl-C), 2 for a usage error.',
    "Tables: EVENT_LOG_TABLE, TASK_STATE_TABLE, INSTANCE_STATE_TABLE; STATE_TTL_DAYS as the projector's.",
  ],
  async run({ values, context }) {
    const scan = parseScan(values, 'into', readConfig(context.env).tables);
    if (values.resume && values['dry-run']) throw new UsageError('--resume and --dry-run exclude each other');
    const checkpointPath =
      typeof values.checkpoint === 'string' ? values.checkpoint : defaultCheckpointPath(scan.eventLog, scan.targets);
    const checkpoint = new RebuildCheckpointFile(checkpointPath);
    if (!values['dry-run'] && loadCheckpoint(checkpoint) && !values.resume) {
      process.stderr.write(
        `A previous rebuild did not finish (${checkpointPath}); starting over. Use --resume to continue it.\n`,
      );
    }

    const stop = new AbortController();
    const onSignal = () => {
      process.stderr.write('\nStopping after the current page of each segment (again to kill)…\n');
      stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let written = 0;
    // Drawn from the first page on, when the log's approximate item count is known.
    const bar = scanProgress('log items scanned', () => `${written} rows written`);
    try {
      const report = await withClients(context, ({ client, doc, config }) =>
        rebuild({
          client,
          doc,
          ...scan,
          force: values.force === true,
          dryRun: values['dry-run'] === true,
          ttlDays: config.stateTtlDays,
          checkpoint,
          resume: values.resume === true,
          signal: stop.signal,
          onProgress: (p) => {
            written = p.written;
            bar.update(p);
          },
        }),
      );
      bar.done();
      if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(report);
      if (!report.complete && !report.dryRun) {
        process.stderr.write(
          `Rebuild of ${targetList(scan)} not complete; its checkpoint is ${checkpointPath}: rerun with --resume to continue.\n`,
        );
      }
      return report.interrupted ? INTERRUPTED : report.errors > 0 ? SEGMENT_FAILED : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

export default command;
