import type { StoppedGroup } from '../../domain/audit/stopped.js';
import { toIso } from '../../domain/time.js';
import { tallyStopped } from '../../infra/logQueries.js';
import { PAGE_OPTIONS, PAGE_USAGE, parseInteger, parsePageSize, parseWindow, TIME_FORMS } from '../args.js';
import type { Command } from '../command.js';
import { emit, OUTPUT_OPTIONS, OUTPUT_USAGE, outputSettings, shortArn, type View } from '../output.js';
import { withStore } from '../store.js';

const view: View<StoppedGroup> = {
  headers: ['TASKS', 'STOP CODE', 'EXIT CODE', 'STOPPED REASON', 'EXAMPLES'],
  rows: (g, aligned) => {
    const key = [g.count, g.stopCode, g.exitCode, g.stoppedReason];
    if (!aligned) return [[...key, g.examples.join(',')]];
    // One example per line keeps the table narrow enough to read.
    return g.examples.map((arn, i) => [...(i === 0 ? key : ['', '', '', '']), shortArn(arn)]);
  },
  json: (g) => g,
  empty: 'no task of this cluster stopped in the window',
};

const command: Command = {
  summary: 'tasks that stopped in a window, grouped by stop code, reason and exit code (from the log)',
  usage: `Usage: ecs-events stopped --cluster <arn or name> --since T [--until T] [options]

Tasks of a cluster that reached STOPPED with an event time in [since, until), each task counted
once (its highest STOPPED version in the window), grouped by stopCode, stoppedReason and the exit
code of the container that ended it (the first non-zero exit code, else the first exit code: events
do not say which containers are essential). Largest groups first, with example task ARNs.

  --cluster C       cluster ARN, or a name found in the latest-state tables (required)
  --since T         start of the window, inclusive (required)
  --until T         end of the window, exclusive (default: now)
  --examples N      example ARNs per group (default 3)
${OUTPUT_USAGE}
${PAGE_USAGE}
Times: ${TIME_FORMS}.`,
  options: {
    cluster: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    examples: { type: 'string' },
    ...OUTPUT_OPTIONS,
    ...PAGE_OPTIONS,
  },
  async run({ values }) {
    const window = parseWindow(values, { sinceRequired: true, untilDefaultsToNow: true });
    const examples = parseInteger(values.examples, '--examples') ?? 3;
    const settings = outputSettings(values);
    const pageSize = parsePageSize(values);
    return withStore(async (store) => {
      const clusterArn = await store.cluster(values.cluster);
      const sinceMs = window.sinceMs as number;
      const untilMs = window.untilMs as number;
      const tally = await tallyStopped(
        store.doc,
        store.tables.eventLog,
        clusterArn,
        { sinceMs, untilMs },
        { pageSize },
      );
      const { count } = await emit(tally.groups(examples), view, settings);
      if (settings.format === 'table' && count > 0) {
        process.stderr.write(
          `${tally.taskCount} task(s) stopped in ${clusterArn} from ${toIso(sinceMs)} until ${toIso(untilMs)}\n`,
        );
      }
      return 0;
    });
  },
};

export default command;
