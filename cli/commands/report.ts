import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { clusterNameOf } from '../../domain/arn.js';
import { buildLifecycleReport } from '../../domain/lifecycle/report.js';
import { toIso } from '../../domain/time.js';
import { readLifecycleInput, readReportCalls } from '../../usecases/lifecycleData.js';
import { CLUSTER_OPTION, PAGE_OPTIONS, parseClosedWindow, parsePageSize, TIME_NOTE, WINDOW_OPTIONS } from '../args.js';
import { withClients } from '../clients.js';
import type { Command } from '../command.js';
import { LOG, LOG_CALLS, LOG_TIMELINE, STATE, STATE_BY_CLUSTER } from '../iamTargets.js';
import { parseServiceFilter, SERVICE_FILTER_OPTION } from '../report/args.js';
import { renderReportHtml } from '../report/html.js';
import { callsOfReport } from '../report/payload.js';

/** `ecs-report-prod-20261102T1400Z.html`: the cluster and the start of the window. */
const defaultFile = (clusterArn: string, sinceMs: number): string =>
  `ecs-report-${clusterNameOf(clusterArn)}-${toIso(sinceMs).slice(0, 16).replace(/[-:]/g, '')}Z.html`;

const command: Command = {
  summary: 'one self-contained HTML file: task lifecycles, deployments, instances, startup latency, stop reasons',
  uses: [
    {
      use: 'report --cluster <arn> --since T',
      role: 'reader',
      grants: [
        { actions: ['Query'], on: [LOG, LOG_TIMELINE, LOG_CALLS, ...STATE_BY_CLUSTER] },
        { actions: ['BatchGetItem'], on: [LOG, ...STATE] },
      ],
      argv: (f) => ['report', '--cluster', f.clusterArn, '--since', '1d', '--out', f.file('r.html')],
    },
  ],
  about: `Writes a lifecycle report of one cluster over [since, until): one bar per task whose lifetime
overlaps the window, split into its states (PROVISIONING … RUNNING … STOPPED) at the event times
of its versions, grouped by service; the services' deployments (start, completion, failure,
rollback), the container instances (ACTIVE / DRAINING / INACTIVE, agent disconnections, health)
and the ECS API calls (who called what, on its task's row or on a lane of their own) on the same
time axis; the startup latency table of \`ecs-events stats\`; and the stop reasons as
\`ecs-events stopped\` groups them, each linked to its tasks in the chart. The file needs no network
and opens from disk in any current browser. Prints the file's path. See docs/report.md.`,
  options: {
    ...CLUSTER_OPTION,
    ...WINDOW_OPTIONS,
    ...SERVICE_FILTER_OPTION,
    out: {
      type: 'string',
      value: 'FILE',
      help: 'where to write the HTML, - for stdout (default ecs-report-<cluster>-<since>.html here)',
    },
    ...PAGE_OPTIONS,
  },
  notes: [TIME_NOTE],
  async run({ values, context }) {
    const window = parseClosedWindow(values);
    const pageSize = parsePageSize(values);
    return withClients(context, async (clients) => {
      const clusterArn = await clients.cluster(values.cluster);
      const service = parseServiceFilter(values.service, clusterArn);
      const [input, calls] = await Promise.all([
        readLifecycleInput(clients.doc, clients.tables, clusterArn, window, { pageSize }),
        readReportCalls(clients.doc, clients.tables, clusterArn, window, { pageSize }),
      ]);
      const report = buildLifecycleReport(input, { clusterArn, window, service });
      const html = renderReportHtml(report, { generatedAt: Date.now(), calls });
      if (values.out === '-') {
        process.stdout.write(html);
        return 0;
      }
      const shownCalls = new Set(callsOfReport(report, calls.calls).map((c) => c.eventId)).size;
      const file = resolve(typeof values.out === 'string' ? values.out : defaultFile(clusterArn, window.sinceMs));
      writeFileSync(file, html);
      process.stderr.write(
        `${report.tasks.length} task(s), ${report.deployments.length} deployment(s), ${report.instances.length} container instance(s), ${shownCalls} API call(s); ${Math.round(Buffer.byteLength(html) / 1024)} KiB\n`,
      );
      process.stdout.write(`${file}\n`);
      return 0;
    });
  },
};

export default command;
