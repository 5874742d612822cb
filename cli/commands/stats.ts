import { LATENCY_INTERVALS, type LatencyRow } from '../../domain/lifecycle/latency.js';
import { startupLatency } from '../../domain/lifecycle/report.js';
import { readLifecycleInput } from '../../usecases/lifecycleData.js';
import { CLUSTER_OPTION, parseClosedWindow, TIME_NOTE, WINDOW_OPTIONS } from '../args.js';
import { BY_CLUSTER, LOG, LOG_TIMELINE, TASKS } from '../iamTargets.js';
import { listingCommand } from '../listing.js';
import type { View } from '../output.js';
import { parseServiceFilter, SERVICE_FILTER_OPTION } from '../report/args.js';
import { formatMs } from '../report/html.js';

/** The INTERVAL cell of a row whose tasks have no interval with both timestamps (none started, none pulled). */
export const NO_SAMPLE = '(no sample)';

const view: View<LatencyRow> = {
  headers: [
    'SERVICE',
    'TASK DEFINITION',
    'TASKS',
    'NEVER STARTED',
    'NOT STARTED YET',
    'INTERVAL',
    'N',
    'P50',
    'P90',
    'P99',
    'MAX',
  ],
  rows: (r, aligned) => {
    // Only the intervals with a sample: a row of dashes says nothing (--json keeps every interval, null).
    const measured = LATENCY_INTERVALS.filter((i) => r[i.name].count > 0);
    const keyOf = (k: number) =>
      // Aligned for people: the row's key once; tab-separated for scripts: on every line.
      k === 0 || !aligned ? [r.service, r.taskDefinition, r.tasks, r.neverStarted, r.pending] : ['', '', '', '', ''];
    if (measured.length === 0) return [[...keyOf(0), NO_SAMPLE, 0, null, null, null, null]];
    return measured.map((i, k) => {
      const s = r[i.name];
      return [...keyOf(k), i.name, s.count, formatMs(s.p50), formatMs(s.p90), formatMs(s.p99), formatMs(s.max)];
    });
  },
  json: (r) => r,
  empty: 'no task of this cluster was created in the window',
};

export default listingCommand({
  summary: 'startup latency per service and task definition: p50/p90/p99/max of pull and start (from the log)',
  uses: [
    {
      use: 'stats --cluster <arn> --since T',
      role: 'reader',
      grants: [
        { actions: ['Query'], on: [LOG_TIMELINE, BY_CLUSTER('taskState')] },
        { actions: ['BatchGetItem'], on: [LOG, TASKS] },
      ],
      argv: (f) => ['stats', '--cluster', f.clusterArn, '--since', '1d'],
    },
  ],
  about: `How long the tasks created in [since, until) took to start, per service and task-definition
revision: count, p50, p90, p99 and max of createdAt → pullStartedAt, the pull (pullStartedAt →
pullStoppedAt), pullStoppedAt → startedAt, and createdAt → startedAt. Percentiles are nearest-rank
(the value of rank ⌈p/100 × n⌉, always a measured one). Tasks that stopped without starting are
counted apart (never started), and so are those neither started nor stopped by --until. The same
numbers as the latency table of \`ecs-events report\` (one function computes both). The table lists
only the intervals that have a sample (a task with both timestamps), and "${NO_SAMPLE}" for a row
that has none; --json keeps every interval (null percentiles when count is 0) and gives durations in
milliseconds.`,
  options: { ...CLUSTER_OPTION, ...WINDOW_OPTIONS, ...SERVICE_FILTER_OPTION },
  notes: [TIME_NOTE],
  parse: ({ values }) => ({ window: parseClosedWindow(values), cluster: values.cluster, service: values.service }),
  list: async (clients, query, pageSize) => {
    const clusterArn = await clients.cluster(query.cluster);
    const service = parseServiceFilter(query.service, clusterArn);
    const input = await readLifecycleInput(clients.doc, clients.tables, clusterArn, query.window, {
      pageSize,
      tasksOnly: true,
    });
    return { items: startupLatency(input.tasks, { clusterArn, window: query.window, service }), view };
  },
});
