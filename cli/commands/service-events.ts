import type { LogItem } from '../../domain/logItem.js';
import {
  detailString,
  SERVICE_ACTION,
  type ServiceLogEvent,
  TimeOrderBuffer,
  toServiceLogEvent,
} from '../../domain/serviceEvents.js';
import { toIso } from '../../domain/time.js';
import { queryLog } from '../../infra/logQueries.js';
import { EVENT_TIME_OPTIONS, parseWindow, TIME_NOTE } from '../args.js';
import { UsageError } from '../command.js';
import { LOG } from '../iamTargets.js';
import { listingCommand } from '../listing.js';
import { shortArn, type View } from '../output.js';
import { SERVICE_OPTION } from '../serviceArg.js';

const EVENT_TYPES = ['INFO', 'WARN', 'ERROR'] as const;

/** `--type ERROR` or `--type WARN,ERROR` (any case) → the eventTypes to keep. */
function parseEventTypes(value: unknown): Set<string> | undefined {
  if (value === undefined) return undefined;
  const types = String(value)
    .split(',')
    .map((t) => t.trim().toUpperCase());
  if (types.some((t) => !(EVENT_TYPES as readonly string[]).includes(t))) {
    throw new UsageError(
      `--type must be ${EVENT_TYPES.join(', ')} or a comma-separated list, got ${JSON.stringify(value)}`,
    );
  }
  return new Set(types);
}

/** Fields every service action has, shown in their own columns; the rest goes to DETAIL. */
const OWN_COLUMNS = new Set(['eventType', 'eventName', 'clusterArn', 'createdAt', 'reason']);

/** The rest of a service action in one cell: `capacityProviderArns=capacity-provider/FARGATE desiredCount=3`. */
function detailText(e: ServiceLogEvent): string {
  return Object.entries(e.detail)
    .filter(([k]) => !OWN_COLUMNS.has(k))
    .map(([k, v]) => {
      const value = Array.isArray(v) ? v.map(shortArn).join(',') : typeof v === 'object' ? JSON.stringify(v) : v;
      return `${k}=${String(value)}`;
    })
    .join(' ');
}

/** The documented `--json` / `--ndjson` item. */
function serviceEventJson(e: ServiceLogEvent) {
  const createdAt = detailString(e, 'createdAt');
  const reason = detailString(e, 'reason');
  return {
    eventTime: toIso(e.eventTime),
    serviceArn: e.arn,
    ...(e.clusterArn !== undefined && { clusterArn: e.clusterArn }),
    eventType: detailString(e, 'eventType'),
    eventName: detailString(e, 'eventName'),
    ...(reason !== undefined && { reason }),
    ...(createdAt !== undefined && { createdAt }),
    ...(e.eventId !== undefined && { eventId: e.eventId }),
    version: e.version,
    detail: e.detail,
  };
}

const view = (serviceArn: string): View<ServiceLogEvent> => ({
  headers: ['EVENT TIME', 'CREATED AT', 'TYPE', 'EVENT NAME', 'REASON', 'DETAIL'],
  rows: (e) => [
    [
      toIso(e.eventTime),
      detailString(e, 'createdAt'),
      detailString(e, 'eventType'),
      detailString(e, 'eventName'),
      detailString(e, 'reason'),
      detailText(e),
    ],
  ],
  json: serviceEventJson,
  empty: `no service action events of ${serviceArn} in the log for this window`,
});

/**
 * The service actions of one service in time order. The log returns a service's items in version
 * order, which is whole-second order; TimeOrderBuffer orders each second by its milliseconds.
 */
async function* serviceActions(
  items: AsyncIterable<LogItem>,
  eventTypes: Set<string> | undefined,
): AsyncGenerator<ServiceLogEvent> {
  const buffer = new TimeOrderBuffer();
  const wanted = (e: ServiceLogEvent) =>
    e.detailType === SERVICE_ACTION && (!eventTypes || eventTypes.has(detailString(e, 'eventType') ?? ''));
  for await (const item of items) {
    const event = toServiceLogEvent(item);
    if (event) yield* buffer.push(event).filter(wanted);
  }
  yield* buffer.flush().filter(wanted);
}

export default listingCommand({
  summary: 'the service action events of one service, in time order (from the log)',
  uses: [
    {
      use: 'service-events --service <arn>',
      role: 'reader',
      grants: [{ actions: ['Query'], on: [LOG] }],
      argv: (f) => ['service-events', '--service', f.serviceArn],
    },
  ],
  about: `The ECS Service Action events of one service (steady state, task placement failures with their
reason, task start impaired, ...) with an event time in [since, until), in time order: envelope
time, then the milliseconds of detail.createdAt.`,
  options: {
    ...SERVICE_OPTION,
    type: { type: 'string', value: 'T', help: 'only INFO, WARN or ERROR events (comma-separated for several)' },
    ...EVENT_TIME_OPTIONS,
  },
  notes: [TIME_NOTE],
  parse: ({ values }) => ({
    service: values.service,
    window: parseWindow(values),
    eventTypes: parseEventTypes(values.type),
  }),
  list: async (clients, { service, window, eventTypes }, pageSize) => {
    const serviceArn = await clients.service(service);
    const items = queryLog(clients.doc, clients.tables.eventLog, serviceArn, { ...window, pageSize });
    return { items: serviceActions(items, eventTypes), view: view(serviceArn) };
  },
});
