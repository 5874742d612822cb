import { ChangeTracker, type VersionChanges } from '../../domain/audit/changes.js';
import { toIso } from '../../domain/time.js';
import { queryLog } from '../../infra/logQueries.js';
import type { Command } from '../command.js';
import { emit, mapItems, outputSettings, type View } from '../output.js';
import { withStore } from '../store.js';
import { parseRange, RANGE_OPTIONS, RANGE_USAGE } from './history.js';

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));

const view = (arn: string): View<VersionChanges> => ({
  headers: ['VERSION', 'EVENT TIME', 'FIELD', 'FROM', 'TO'],
  rows: (v) => {
    const key = [v.version, toIso(v.eventTime)];
    if (v.previousVersion === undefined) return [[...key, '(first version listed)', '', '']];
    if (v.changes.length === 0) return [[...key, '(no change)', '', '']];
    // The version and time only on a version's first row, so the eye finds where each version starts.
    return v.changes.map((c, i) => [...(i === 0 ? key : ['', '']), c.field, show(c.from), show(c.to)]);
  },
  json: (v) => ({ ...v, eventTime: toIso(v.eventTime) }),
  empty: `no events of ${arn} in the log for this range`,
});

const command: Command = {
  summary: 'field-level changes between consecutive versions of one resource (from the log)',
  usage: `Usage: ecs-events changes <arn> [options]

What changed at each version of a task, container instance or service, compared with the version
before it: field path (containers[0].exitCode), from, to. The first version listed has nothing to
compare with (see \`ecs-events state\` for it in full).

${RANGE_USAGE}`,
  positionals: 1,
  options: RANGE_OPTIONS,
  async run({ values, positionals }) {
    const { arn, query } = parseRange(values, positionals);
    const settings = outputSettings(values);
    return withStore(async ({ doc, tables }) => {
      const tracker = new ChangeTracker();
      await emit(
        mapItems(queryLog(doc, tables.eventLog, arn, query), (item) => tracker.next(item)),
        view(arn),
        settings,
      );
      return 0;
    });
  },
};

export default command;
