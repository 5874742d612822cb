import { flatten } from '../../domain/audit/changes.js';
import { type ResourceState, resourceState } from '../../domain/audit/stateAt.js';
import { toIso } from '../../domain/time.js';
import { firstLogItem, logStateAt } from '../../infra/logQueries.js';
import { parseArnArg, parseTime, TIME_NOTE } from '../args.js';
import { LOG } from '../iamTargets.js';
import { listingCommand } from '../listing.js';
import type { View } from '../output.js';
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

export default listingCommand({
  summary: 'one task, container instance or service as it was at a time (from the log)',
  uses: [
    {
      use: 'state <arn> --at T',
      role: 'reader',
      grants: [{ actions: ['Query'], on: [LOG] }],
      argv: (f) => ['state', f.taskArn, '--at', new Date().toISOString()],
    },
  ],
  about: `The resource as it was at T: the highest version whose event time is at or before T (an event at
exactly T counts), printed in full. Says "did not exist yet" when the log has nothing that early.`,
  positionals: ['<arn>'],
  options: { at: { type: 'string', value: 'T', required: true, help: 'the moment to look at' } },
  notes: [TIME_NOTE],
  parse: ({ values, positionals }) => ({
    arn: parseArnArg(positionals[0], '<arn>', LOG_ARN_TYPES),
    atMs: parseTime(values.at, '--at'),
  }),
  list: async ({ doc, tables }, { arn, atMs }, pageSize) => {
    const item = await logStateAt(doc, tables.eventLog, arn, atMs, { pageSize });
    if (item) return { items: [resourceState(item)], view: view('') };
    const first = await firstLogItem(doc, tables.eventLog, arn);
    const empty = first
      ? `${arn} did not exist yet at ${toIso(atMs)}: its first logged event (version ${first.version}) is at ${toIso(first.eventTime)}`
      : `${arn} did not exist yet at ${toIso(atMs)}: the log (${tables.eventLog}) has no event of it`;
    return { items: [], view: view(empty) };
  },
});
