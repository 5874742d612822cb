import { setTimeout as sleep } from 'node:timers/promises';
import type { Drift } from '../../domain/drift.js';
import { readConfig } from '../../infra/config.js';
import { type VerifyReport, verify } from '../../usecases/verify.js';
import { type VerifyLogReport, verifyLog } from '../../usecases/verifyLog.js';
import { PAGE_OPTIONS, parseDuration, parseTime, TIME_NOTE } from '../args.js';
import { withClients } from '../clients.js';
import { type Command, type CommandArgs, UsageError } from '../command.js';
import { LOG, LOG_TIMELINE, STATE } from '../iamTargets.js';
import { formatListed, formatTable, shortArn } from '../output.js';
import { scanProgress } from '../progress.js';
import { tamperedSection } from '../tampered.js';
import { parseScan, TARGET_OPTIONS } from '../targets.js';

/** Drifted keys listed in the table output (all of them are in --json). */

const driftRow = (d: Drift) => [
  d.kind,
  d.stateKind,
  shortArn(d.arn),
  d.rowVersion ?? '-',
  d.logVersion ?? '-',
  d.fields?.join(',') ?? '',
];

function printReport(r: VerifyReport): void {
  const out = process.stdout;
  const scope = r.since ? `resources with log events since ${r.since}` : 'every row and every resource in the log';
  out.write(`\nverify ${Object.values(r.targets).join(', ')} against ${r.eventLog} (${scope})\n\n`);
  const checked: [string, unknown][] = [
    [r.since ? 'index items scanned' : 'log items scanned', r.scanned],
    ['ARNs compared', r.arns],
  ];
  if (!r.since) checked.push(['rows checked for a log entry', r.rows]);
  checked.push(['suspects rechecked after the settle wait', r.suspects]);
  for (const [kind, n] of Object.entries(r.counts)) checked.push([kind, n]);
  if (r.poison > 0) checked.push(['poison log items (not drift)', r.poison]);
  if (r.repair) checked.push(['repaired', r.repair.repaired], ['orphans kept', r.repair.orphansKept]);
  checked.push(['seconds', r.seconds.toFixed(1)]);
  out.write(formatTable(['measure', 'value'], checked));
  for (const t of r.missingTables) out.write(`\nTable ${t} does not exist: every live row of it is missing.\n`);
  const list = (title: string, drift: readonly Drift[]) => {
    if (drift.length === 0) return;
    out.write(`\n${title}\n`);
    out.write(formatListed(['drift', 'kind', 'arn', 'row v', 'log v', 'fields'], drift, (d) => [driftRow(d)]));
  };
  list(r.repair ? 'Drift found (then repaired):' : 'Drift:', r.drift);
  if (r.repair) list('Still drifted after the repair:', r.repair.remaining);
  out.write(tamperedSection(r.tampered));
  const held = r.tampered.filter((t) => t.state !== 'trusted').length;
  if (held > 0) out.write(`${held} tampered key(s) held: their resources are neither checked nor repaired.\n`);
  const drifted = (r.repair?.remaining ?? r.drift).length > 0;
  out.write(
    !r.clean && !drifted
      ? '\nNot clean: the log has tampered keys (restore them: docs/operations.md "Log tampering").\n'
      : r.clean
        ? `\nClean${r.repair && r.drift.length > 0 ? ' after the repair' : ''}: the rows are what a fresh projection of the log gives.\n`
        : `\nDrift found${r.repair ? '' : ': `ecs-events verify --repair` re-projects exactly these keys'}.\n`,
  );
}

function printLogReport(r: VerifyLogReport): void {
  const out = process.stdout;
  out.write(`\nverify --log ${r.eventLog}: every item's key and query attributes against its raw event\n\n`);
  const rows: [string, unknown][] = [
    ['log items scanned', r.scanned],
    ['events derived again and compared', r.checked],
    ['mismatches', r.mismatches.length],
    ['tamper markers (not events)', r.markers],
    ['calls that changed the store (among those compared)', r.storeCalls.length],
    ...Object.entries(r.notEvents).map(([source, n]): [string, unknown] => [`not ECS events (source ${source})`, n]),
    ['seconds', r.seconds.toFixed(1)],
  ];
  out.write(formatTable(['measure', 'value'], rows));
  if (r.mismatches.length > 0) {
    out.write('\nItems that are not what ingest writes for their raw event:\n');
    out.write(
      formatListed(['arn', 'version', 'problem'], r.mismatches, (m) =>
        m.problems.map((p, i) => (i === 0 ? [shortArn(m.arn), m.version, p] : ['', '', p])),
      ),
    );
  }
  if (r.storeCalls.length > 0) {
    out.write("\nThe store's history: calls that changed its own resources (self-audit), by time:\n");
    out.write(
      formatListed(['time', 'action', 'resource', 'principal'], r.storeCalls, (c) => [
        [
          new Date(c.eventTime).toISOString(),
          `${c.action}${c.errorCode ? ` (${c.errorCode})` : ''}`,
          c.resource,
          `${c.principal ?? '?'}${c.invokedBy ? ` via ${c.invokedBy}` : ''}`,
        ],
      ]),
    );
  }
  out.write(tamperedSection(r.tampered));
  out.write(
    r.clean
      ? '\nClean: every log item is what ingest wrote for its event.\n'
      : '\nNot clean: see docs/operations.md "Log tampering".\n',
  );
}

const command: Command = {
  summary: 'check the latest-state tables against the log (exit 1 on drift); --repair fixes it',
  uses: [
    {
      use: 'verify',
      role: 'reader',
      grants: [
        { actions: ['DescribeTable', 'Scan', 'BatchGetItem', 'GetItem'], on: [LOG, ...STATE] },
        { actions: ['Query'], on: [LOG, LOG_TIMELINE] },
      ],
      argv: () => ['verify', '--settle', '0'],
    },
    {
      use: 'verify --since T',
      role: 'reader',
      grants: [
        { actions: ['DescribeTable'], on: STATE },
        { actions: ['GetItem'], on: [LOG, ...STATE] },
        { actions: ['Query'], on: [LOG, LOG_TIMELINE] },
        { actions: ['Scan'], on: [LOG_TIMELINE] },
      ],
      argv: () => ['verify', '--since', '1d', '--settle', '0'],
    },
    {
      use: 'verify --log',
      role: 'reader',
      grants: [
        { actions: ['DescribeTable', 'Scan'], on: [LOG] },
        { actions: ['Query'], on: [LOG_TIMELINE] },
      ],
      argv: () => ['verify', '--log'],
    },
    {
      // Re-projects the drifted keys with conditional puts, deletes orphans. (A missing table would be
      // created first: not granted, the deployed tables belong to CloudFormation.)
      use: 'verify --repair --delete-orphans',
      role: 'operator',
      grants: [
        { actions: ['DescribeTable', 'Scan', 'BatchGetItem', 'GetItem'], on: [LOG, ...STATE] },
        { actions: ['Query'], on: [LOG, LOG_TIMELINE] },
        { actions: ['PutItem', 'DeleteItem'], on: STATE },
      ],
      argv: () => ['verify', '--repair', '--delete-orphans', '--settle', '0'],
    },
  ],
  about: `Compares every latest-state row with the log's latest event for its resource and reports rows that
are missing, stale (older version), differ in fields from a fresh projection, are ahead of the log,
or have no log entry (orphans). Suspects are read again after --settle, so events still in flight on
the stream are not reported. Exit code 0 when clean (or clean after --repair), 1 when drift remains.`,
  options: {
    ...TARGET_OPTIONS,
    since: {
      type: 'string',
      value: 'T',
      help: 'only resources with a log event at or after T (the runbook after projector\nfailures); reads the byClusterTime index instead of the log, no orphan check',
    },
    // A healthy projector lands a stream record well within the default wait.
    settle: { type: 'string', value: 'D', default: '2s', help: 'wait before the recheck (0 to skip): 500ms, 2s, 1m' },
    repair: {
      type: 'boolean',
      help: 're-project exactly the drifted keys (conditional writes: a live write always wins)',
    },
    'delete-orphans': { type: 'boolean', help: 'with --repair, also delete orphan rows (kept and reported otherwise)' },
    suffix: {
      type: 'string',
      value: 'SUFFIX',
      joined: true,
      help: 'check <table name>SUFFIX, the tables `rebuild --into=SUFFIX` fills',
    },
    log: {
      type: 'boolean',
      help: "check the log itself instead: derive every item's key and query attributes again\nfrom its raw event, report items that do not match (and the tampered keys)",
    },
    json: { type: 'boolean', help: 'the report as one JSON document' },
    ...PAGE_OPTIONS,
  },
  notes: [
    TIME_NOTE,
    "Tables: EVENT_LOG_TABLE, TASK_STATE_TABLE, INSTANCE_STATE_TABLE; STATE_TTL_DAYS as the projector's.",
  ],
  async run({ values, context }) {
    if (values.log) return runLogCheck(values, context);
    const scan = parseScan(values, 'suffix', readConfig(context.env).tables);
    if (values['delete-orphans'] && !values.repair) throw new UsageError('--delete-orphans needs --repair');
    const since = values.since === undefined ? undefined : parseTime(values.since, '--since');
    const settleMs = parseDuration(values.settle, '--settle');
    const bar = scanProgress('log items scanned');
    const report = await withClients(context, ({ client, doc, config }) =>
      verify({
        client,
        doc,
        ...scan,
        ttlDays: config.stateTtlDays,
        since,
        settle: () => sleep(settleMs),
        repair: values.repair === true,
        deleteOrphans: values['delete-orphans'] === true,
        onProgress: bar.update,
      }),
    );
    bar.done();
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report);
    return report.clean ? 0 : 1;
  },
};

/** `verify --log`: the log against its own raw events; the state-table options do not apply. */
async function runLogCheck(values: Record<string, unknown>, context: CommandArgs['context']): Promise<number> {
  for (const option of ['repair', 'delete-orphans', 'since', 'suffix']) {
    if (values[option] !== undefined) throw new UsageError(`--log checks the log alone: --${option} does not apply`);
  }
  const { eventLog } = readConfig(context.env).tables;
  const { segments, pageSize } = parseScan(values, 'suffix', readConfig(context.env).tables);
  const bar = scanProgress('log items scanned');
  const report = await withClients(context, ({ client, doc }) =>
    verifyLog({ client, doc, eventLog, segments, pageSize, onProgress: bar.update }),
  );
  bar.done();
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printLogReport(report);
  return report.clean ? 0 : 1;
}

export default command;
