import { RECONCILE_CLASSES } from '../../domain/reconcile.js';
import { readConfig } from '../../infra/config.js';
import { ecsGateway } from '../../infra/ecs.js';
import { type Finding, type ReconcileReport, reconcile } from '../../usecases/reconcile.js';
import { withClients } from '../clients.js';
import { type Command, UsageError } from '../command.js';
import { STATE, STATE_BY_CLUSTER } from '../iamTargets.js';
import { formatListed, formatTable, shortArn } from '../output.js';

/** Findings listed in the table output (all of them are in --json). */

const findingRow = (f: Finding) => [
  f.class,
  f.kind,
  shortArn(f.arn),
  f.rowVersion ?? '-',
  f.ecsVersion ?? '-',
  f.rowStatus ?? '-',
  f.ecsStatus ?? f.ecsFailure ?? '-',
  f.outcome ?? '-',
];

function printReport(r: ReconcileReport): void {
  const out = process.stdout;
  out.write(`\nreconcile ${r.clusters.map(shortArn).join(', ') || '(no cluster)'} against the ECS API\n\n`);
  out.write(
    formatTable(
      ['class', 'tasks', 'instances'],
      RECONCILE_CLASSES.map((c) => [c, r.byKind.task[c], r.byKind.instance[c]]),
    ),
  );
  if (r.marked > 0) out.write(`(${r.marked} ghost(s) already marked lastSeenMissingAt, counted as agree)\n`);
  if (r.findings.length > 0) {
    out.write('\n');
    out.write(
      formatListed(
        ['class', 'kind', 'arn', 'row v', 'ecs v', 'row status', 'ecs status', 'repair'],
        r.findings,
        (f) => [findingRow(f)],
      ),
    );
  }
  out.write('\n');
  out.write(
    formatTable(
      ['ECS operation', 'requests', 'retries'],
      Object.entries(r.apiCalls).map(([op, c]) => [op, c.requests, c.retries]),
    ),
  );
  const { appended, alreadyLogged, wouldAppend, reportOnly } = r.repair;
  const did = r.dryRun
    ? `dry run: ${wouldAppend} observation(s)/mark(s) would be appended to the log`
    : `${appended} appended to the log, ${alreadyLogged} already there`;
  out.write(`\n${did}; ${reportOnly} report-only; ${r.seconds.toFixed(1)} s\n`);
  out.write(r.clean ? 'Agree: the store matches ECS.\n' : 'Differences found (exit 1).\n');
}

function parseRate(value: unknown): number {
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`--rate must be a number of requests a second (0: no cap), got ${JSON.stringify(value)}`);
  }
  return n;
}

const command: Command = {
  summary: 'compare the store with the ECS API (exit 1 unless all agree); repairs through the log',
  uses: [
    {
      use: 'reconcile --dry-run --cluster <arn>',
      role: 'reader',
      grants: [
        {
          actions: ['ListTasks', 'ListContainerInstances', 'DescribeTasks', 'DescribeContainerInstances'],
          on: [{ ecs: true }],
        },
        { actions: ['Query'], on: STATE_BY_CLUSTER },
        { actions: ['BatchGetItem'], on: STATE },
      ],
      argv: (f) => ['reconcile', '--dry-run', '--cluster', f.ecsClusterArn, '--rate', '0'],
    },
  ],
  about: `Compares the latest-state rows with what the ECS API of this account and Region says: ListTasks
(RUNNING and STOPPED), ListContainerInstances, DescribeTasks / DescribeContainerInstances (100 at a
time, tags included), and Describe on the rows' own ARNs that ECS did not list. Classes: missing,
behind, ghost, ahead, agree, unversioned (docs/reconcile.md). Unless --dry-run, missing and behind
resources are appended to the log as observations (<arn>#observed + the API's version) and ghosts as
missing marks (<arn>#observed-missing); the projector turns them into rows. Rows are never written
here. Exit code 0 when everything agrees, 1 otherwise.`,
  options: {
    cluster: {
      type: 'string',
      value: 'C',
      multiple: true,
      help: 'a cluster name or ARN, repeatable (default: every cluster ListClusters returns)',
    },
    'dry-run': { type: 'boolean', help: 'compare and report only: append nothing' },
    json: { type: 'boolean', help: 'the report as one JSON document' },
    rate: {
      type: 'string',
      value: 'N',
      default: '10',
      help: 'at most N ECS requests a second, retries included (0: no cap; the\nSDK adaptive retry still slows down when ECS throttles)',
    },
  },
  notes: [
    'The ECS API is that of the credentials: one account and Region (AWS_REGION, AWS_PROFILE).',
    'Tables: EVENT_LOG_TABLE, TASK_STATE_TABLE, INSTANCE_STATE_TABLE; AWS_ENDPOINT_URL_ECS points at another ECS endpoint.',
  ],
  async run({ values, context }) {
    const rate = parseRate(values.rate);
    const clusters = (values.cluster as string[] | undefined) ?? [];
    const config = readConfig(context.env);
    const report = await withClients(context, ({ doc, ecs }) =>
      reconcile({
        doc,
        tables: config.tables,
        ecs: ecsGateway(ecs, { rate }),
        clusters,
        dryRun: values['dry-run'] === true,
        redactEnvironment: config.redactOverrideEnvironment,
        logRetentionDays: config.logRetentionDays,
        onCluster: (c) => process.stderr.write(`reconciled ${shortArn(c)}\n`),
      }),
    );
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report);
    return report.clean ? 0 : 1;
  },
};

export default command;
