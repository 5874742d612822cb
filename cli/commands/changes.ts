import { ChangeTracker, type VersionChanges } from '../../domain/audit/changes.js';
import { toIso } from '../../domain/time.js';
import { queryLog } from '../../infra/logQueries.js';
import { LOG } from '../iamTargets.js';
import { listingCommand } from '../listing.js';
import { mapItems, type View } from '../output.js';
import { RANGE } from './history.js';

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

export default listingCommand({
  summary: 'field-level changes between consecutive versions of one resource (from the log)',
  uses: [
    {
      use: 'changes <arn>',
      role: 'reader',
      grants: [{ actions: ['Query'], on: [LOG] }],
      argv: (f) => ['changes', f.taskArn],
    },
  ],
  about: `What changed at each version of a task, container instance or service, compared with the version
before it: field path (containers[0].exitCode), from, to. The first version listed has nothing to
compare with (see \`ecs-events state\` for it in full).`,
  ...RANGE,
  list: async ({ doc, tables }, { arn, range }, pageSize) => {
    const tracker = new ChangeTracker();
    const items = queryLog(doc, tables.eventLog, arn, { ...range, pageSize });
    return { items: mapItems(items, (item) => tracker.next(item)), view: view(arn) };
  },
});
