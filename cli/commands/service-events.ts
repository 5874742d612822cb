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
import { PAGE_OPTIONS, PAGE_USAGE, parsePageSize, parseWindow, TIME_FORMS } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { emit, OUTPUT_OPTIONS, OUTPUT_USAGE, outputSettings, shortArn, type View } from '../output.js';
import { resolveService, SERVICE_USAGE } from '../serviceArg.js';
import { withStore } from '../store.js';

const EVENT_TYPES = ['INFO', 'WARN', 'ERROR'] as const;

/** `--type ERROR` or `--type WARN,ERROR` (any case) → the eventTypes to keep. */
export function parseEventTypes(value: unknown): Set<string> | undefined {
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
export function serviceEventJson(e: ServiceLogEvent) {
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
export async function* serviceActions(
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

const command: Command = {
  summary: 'the service action events of one service, in time order (from the log)',
  usage: `Usage: ecs-events service-events --service <arn or cluster/name> [options]

The ECS Service Action events of one service (steady state, task placement failures with their
reason, task start impaired, ...) with an event time in [since, until), in time order: envelope
time, then the milliseconds of detail.createdAt.

${SERVICE_USAGE}
  --type T          only INFO, WARN or ERROR events (comma-separated for several)
  --since T         only events at or after T (event time)
  --until T         only events before T (exclusive)
${OUTPUT_USAGE}
${PAGE_USAGE}
Times: ${TIME_FORMS}.`,
  options: {
    service: { type: 'string' },
    type: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    ...OUTPUT_OPTIONS,
    ...PAGE_OPTIONS,
  },
  async run({ values }) {
    const window = parseWindow(values);
    const eventTypes = parseEventTypes(values.type);
    const settings = outputSettings(values);
    const pageSize = parsePageSize(values);
    return withStore(async (store) => {
      const serviceArn = await resolveService(values.service, (c, o) => store.cluster(c, o));
      const items = queryLog(store.doc, store.tables.eventLog, serviceArn, { ...window, pageSize });
      await emit(serviceActions(items, eventTypes), view(serviceArn), settings);
      return 0;
    });
  },
};

export default command;
