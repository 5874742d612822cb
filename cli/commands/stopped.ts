import type { StoppedGroup } from '../../domain/audit/stopped.js';
import { toIso } from '../../domain/time.js';
import { tallyStopped } from '../../usecases/audit.js';
import { parseInteger, parseWindow, TIME_NOTE, WINDOW_OPTIONS } from '../args.js';
import { CLUSTER_SCOPE_OPTIONS, describeClusters, isSingleCluster, parseClusterScope } from '../clusterScope.js';
import { LOG, LOG_CALLS, LOG_TIMELINE } from '../iamTargets.js';
import { listingCommand } from '../listing.js';
import { shortArn, type View } from '../output.js';

/** Across clusters (--account / --region), examples keep their account and region: full ARNs. */
const viewOf = (shorten: (arn: string) => unknown): View<StoppedGroup> => ({
  headers: ['TASKS', 'STOP CODE', 'EXIT CODE', 'STOPPED REASON', 'STOPPED BY', 'EXAMPLES'],
  rows: (g, aligned) => {
    const by = (g.stoppedBy ?? []).map((p) => (p.tasks === g.count ? p.principal : `${p.principal}×${p.tasks}`));
    const key = [g.count, g.stopCode, g.exitCode, g.stoppedReason, by.join(' ')];
    if (!aligned) return [[...key, g.examples.join(',')]];
    // One example per line keeps the table narrow enough to read.
    return g.examples.map((arn, i) => [...(i === 0 ? key : ['', '', '', '', '']), shorten(arn)]);
  },
  json: (g) => g,
  empty: 'no task of this cluster stopped in the window',
});

export default listingCommand({
  summary: 'tasks that stopped in a window, grouped by stop code, reason and exit code (from the log)',
  uses: [
    {
      use: 'stopped --cluster <arn> --since T',
      role: 'reader',
      grants: [
        { actions: ['Query'], on: [LOG_TIMELINE, LOG_CALLS] },
        { actions: ['BatchGetItem'], on: [LOG] },
      ],
      argv: (f) => ['stopped', '--cluster', f.clusterArn, '--since', '1d'],
    },
  ],
  about: `Tasks of a cluster that reached STOPPED with an event time in [since, until), each task counted
once (its highest STOPPED version in the window), grouped by stopCode, stoppedReason and the exit
code of the container that ended it (the first non-zero exit code, else the first exit code: events
do not say which containers are essential). Largest groups first, with example task ARNs.
STOPPED BY names who stopped UserInitiated tasks: the principal of the StopTask call on each task
(the ECS API calls CloudTrail delivers; a call that arrives after the STOPPED event shows at the
next query), with the number of tasks when the group has several principals.`,
  options: {
    ...CLUSTER_SCOPE_OPTIONS,
    ...WINDOW_OPTIONS,
    examples: { type: 'string', value: 'N', default: '3', help: 'example ARNs per group' },
  },
  notes: [TIME_NOTE],
  parse: ({ values }) => {
    const window = parseWindow(values, { sinceRequired: true, untilDefaultsToNow: true });
    return {
      scope: parseClusterScope(values),
      sinceMs: window.sinceMs as number,
      untilMs: window.untilMs as number,
      examples: parseInteger(values.examples, '--examples') as number,
    };
  },
  list: async (clients, { scope, sinceMs, untilMs, examples }, pageSize) => {
    const clusterArns = await clients.clusters(scope);
    const tally = await tallyStopped(
      clients.doc,
      clients.tables.eventLog,
      clusterArns,
      { sinceMs, untilMs },
      { pageSize },
    );
    return {
      items: tally.groups(examples),
      view: viewOf(isSingleCluster(scope) ? shortArn : (arn) => arn),
      after: ({ count }, settings) => {
        if (settings.format === 'table' && count > 0) {
          process.stderr.write(
            `${tally.taskCount} task(s) stopped in ${describeClusters(scope, clusterArns)} from ${toIso(sinceMs)} until ${toIso(untilMs)}\n`,
          );
        }
      },
    };
  },
});
