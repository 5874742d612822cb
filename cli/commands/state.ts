import { flatten } from '../../domain/audit/changes.js';
import { type ResourceState, resourceState } from '../../domain/audit/stateAt.js';
import { toIso } from '../../domain/time.js';
import { firstLogItem, logStateAt } from '../../infra/logQueries.js';
import { PAGE_OPTIONS, PAGE_USAGE, parseArnArg, parsePageSize, parseTime, TIME_FORMS } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { emit, OUTPUT_OPTIONS, OUTPUT_USAGE, outputSettings, type View } from '../output.js';
import { withStore } from '../store.js';
import { LOG_ARN_TYPES } from './history.js';

const stateJson = (s: ResourceState) => ({ ...s, eventTime: toIso(s.eventTime) });

const view = (empty: string): View<ResourceState> => ({
  headers: ['FIELD', 'VALUE'],
  rows: (s) => [
    ['arn', s.arn],
    ['version', s.version],
    ['eventTime', toIso(s.eventTime)],
    ['eventId', s.eventId],
    ...[...flatten(s.detail, 'detail')].map(([field, value]) => [field, JSON.stringify(value)]),
  ],
  json: stateJson,
  empty,
});

const command: Command = {
  summary: 'one task, container instance or service as it was at a time (from the log)',
  usage: `Usage: ecs-events state <arn> --at T [options]

The resource as it was at T: the highest version whose event time is at or before T (an event at
exactly T counts), printed in full. Says "did not exist yet" when the log has nothing that early.

  --at T            the moment to look at (required)
${OUTPUT_USAGE}
${PAGE_USAGE}
Times: ${TIME_FORMS}.`,
  positionals: 1,
  options: { at: { type: 'string' }, ...OUTPUT_OPTIONS, ...PAGE_OPTIONS },
  async run({ values, positionals }) {
    const arn = parseArnArg(positionals[0], '<arn>', LOG_ARN_TYPES);
    if (values.at === undefined) throw new UsageError('--at is required');
    const atMs = parseTime(values.at, '--at');
    const settings = outputSettings(values);
    const pageSize = parsePageSize(values);
    return withStore(async ({ doc, tables }) => {
      const item = await logStateAt(doc, tables.eventLog, arn, atMs, { pageSize });
      let empty = '';
      if (!item) {
        const firstItem = await firstLogItem(doc, tables.eventLog, arn);
        empty = firstItem
          ? `${arn} did not exist yet at ${toIso(atMs)}: its first logged event (version ${firstItem.version}) is at ${toIso(firstItem.eventTime)}`
          : `${arn} did not exist yet at ${toIso(atMs)}: the log (${tables.eventLog}) has no event of it`;
      }
      await emit(item ? [resourceState(item)] : [], view(empty), settings);
      return 0;
    });
  },
};

export default command;
