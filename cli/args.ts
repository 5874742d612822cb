import { type EcsResourceType, parseEcsArn } from '../domain/arn.js';
import type { ClosedWindow, TimeWindow } from '../domain/audit/window.js';
import { ARN_FORMS } from '../domain/kinds.js';
import { parseIsoTime } from '../domain/time.js';
import { UsageError } from './command.js';
import type { OptionTable } from './options.js';

/** How times are written on the command line (said in every time error). */
const TIME_FORMS =
  'ISO-8601 with Z or an offset (2026-11-01T14:02:00Z, 2026-11-01T16:02:00.123456+02:00), a date (2026-11-01, UTC), ' +
  '"now", or a time before now (90s, 30m, 2h, 7d, 2w)';

/** The line under the options of every command that takes times. */
export const TIME_NOTE = `Times: ${TIME_FORMS}.`;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d|w)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `500ms`, `90s`, `2h`, `7d`, `2w` in ms; a bare number counts in `bareUnit` (none: it is no duration). */
function durationMs(text: string, bareUnit?: keyof typeof UNIT_MS): number | undefined {
  const m = DURATION.exec(text.trim());
  const unit = (m?.[2] as keyof typeof UNIT_MS | undefined) ?? bareUnit;
  return m && unit ? Number(m[1]) * UNIT_MS[unit] : undefined;
}

/** A wait such as `--settle`: 0, 500ms, 2s, 1m (a bare number is seconds). */
export function parseDuration(value: unknown, option: string): number {
  const ms = typeof value === 'string' ? durationMs(value, 's') : undefined;
  if (ms === undefined) {
    throw new UsageError(`${option} must be a duration like 0, 500ms, 2s or 1m, got ${JSON.stringify(value)}`);
  }
  return ms;
}

/**
 * A command-line time in epoch ms: ISO-8601 with any number of fractional digits and `Z` or an
 * offset, a bare date (midnight UTC), `now`, or a relative form meaning that long before now.
 * A date-time without a zone is refused: it would silently mean the machine's local time.
 */
export function parseTime(value: unknown, option: string, nowMs: number = Date.now()): number {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === 'now') return nowMs;
  const ago = durationMs(text);
  if (ago !== undefined) return nowMs - ago;
  // ISO-8601 lets seconds be left out (2026-11-01T14:02Z); the stored-event parser does not, so add them.
  const withSeconds = text.replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?=Z|[+-]\d{2}:?\d{2}$)/, '$1:00');
  const iso = DATE.test(text) ? parseIsoTime(`${text}T00:00:00Z`) : parseIsoTime(withSeconds);
  if (iso !== undefined) return iso;
  const why = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text) ? ' (add Z or an offset: the zone must be explicit)' : '';
  throw new UsageError(`${option}: ${JSON.stringify(value ?? '')} is not a time${why}; use ${TIME_FORMS}`);
}

const parseOptionalTime = (value: unknown, option: string, nowMs?: number): number | undefined =>
  value === undefined ? undefined : parseTime(value, option, nowMs);

/**
 * `--since` / `--until` as a window [since, until): since inclusive, until exclusive.
 * `untilDefaultsToNow` fills a missing --until with the current time; a reversed window is a usage error.
 */
export function parseWindow(
  values: Record<string, unknown>,
  options: { sinceRequired?: boolean; untilDefaultsToNow?: boolean; nowMs?: number } = {},
): TimeWindow {
  const now = options.nowMs ?? Date.now();
  if (options.sinceRequired && values.since === undefined) throw new UsageError('--since is required');
  const sinceMs = parseOptionalTime(values.since, '--since', now);
  const untilMs = parseOptionalTime(values.until, '--until', now) ?? (options.untilDefaultsToNow ? now : undefined);
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs > untilMs) {
    throw new UsageError(
      `the window is reversed: --since ${new Date(sinceMs).toISOString()} is after --until ${new Date(untilMs).toISOString()}`,
    );
  }
  return { sinceMs, untilMs };
}

/** A whole number option (`--limit`, `--from-version`, ...) with a lower bound. */
export function parseInteger(value: unknown, option: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${option} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `--page-size`: DynamoDB's Limit per request (lower it to see paging, or to keep requests small). */
export const PAGE_OPTIONS: OptionTable = {
  'page-size': {
    type: 'string',
    value: 'N',
    help: 'items DynamoDB evaluates per request (default: up to 1 MB per page)',
  },
};
export const parsePageSize = (values: Record<string, unknown>): number | undefined =>
  parseInteger(values['page-size'], '--page-size', 1);

/** How a usage message writes an ARN of each type: the forms the kinds declare (domain/kinds.ts), and clusters'. */
const ARTICLE: Record<EcsResourceType, string> = { ...ARN_FORMS, cluster: 'cluster/<name>' };

/** An ARN argument of one of the given ECS resource types, or a usage error that shows the expected form. */
export function parseArnArg(value: unknown, what: string, types: readonly EcsResourceType[]): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${what} is required`);
  const arn = parseEcsArn(value);
  if (arn && (types as readonly string[]).includes(arn.resourceType)) return value;
  const forms = types.map((t) => `arn:aws:ecs:<region>:<account>:${ARTICLE[t]}`).join(' or ');
  const got = arn ? ` (a ${arn.resourceType} ARN)` : '';
  throw new UsageError(
    `${what} must be an ECS ${types.join(', ')} ARN like ${forms}; got ${JSON.stringify(value)}${got}`,
  );
}

/** ECS cluster names: letters, digits, hyphens and underscores, up to 255. */
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** `--cluster`, as the commands that read one cluster take it. */
export const CLUSTER_OPTION: OptionTable = {
  cluster: {
    type: 'string',
    value: 'C',
    required: true,
    help: 'cluster ARN, or a name found in the latest-state tables',
  },
};

/** `--since` and `--until` of the commands that read one closed window of a cluster. */
export const WINDOW_OPTIONS: OptionTable = {
  since: { type: 'string', value: 'T', required: true, help: 'start of the window, inclusive' },
  until: { type: 'string', value: 'T', help: 'end of the window, exclusive (default: now)' },
};

/** `--since` and `--until` of the commands that read an open window of event times. */
export const EVENT_TIME_OPTIONS: OptionTable = {
  since: { type: 'string', value: 'T', help: 'only events at or after T (event time)' },
  until: { type: 'string', value: 'T', help: 'only events before T (exclusive)' },
};

/** `--cluster` as given: a cluster ARN, or a bare name still to be resolved. */
type ClusterArg = { readonly arn: string } | { readonly name: string };

export function parseClusterArg(value: unknown, option = '--cluster'): ClusterArg {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${option} is required (a cluster ARN or name)`);
  if (value.startsWith('arn:')) return { arn: parseArnArg(value, option, ['cluster']) };
  if (!CLUSTER_NAME.test(value)) {
    throw new UsageError(
      `${option} must be a cluster ARN or a cluster name (letters, digits, - and _), got ${JSON.stringify(value)}`,
    );
  }
  return { name: value };
}

/**
 * A cluster ARN from `--cluster`. A bare name is looked up by `knownArns` (the latest-state tables:
 * see infra/stateQueries.ts clusterArnsNamed) and must match exactly one cluster, or the caller is
 * asked for the ARN: a name alone does not say which account and region it lives in.
 */
export async function resolveCluster(
  value: unknown,
  knownArns: (name: string) => Promise<string[]>,
  option = '--cluster',
): Promise<string> {
  const arg = parseClusterArg(value, option);
  if ('arn' in arg) return arg.arn;
  return theClusterNamed(arg.name, await knownArns(arg.name), { option });
}

/**
 * The one cluster ARN `found` for a name, or a usage error that says why not (none, or several:
 * then their ARNs). `among` names the account/region filter the name was looked up in, if any;
 * `narrowable`: the command also takes --account and --region, which can tell same-named clusters apart.
 */
export function theClusterNamed(
  name: string,
  found: readonly string[],
  context: { readonly option?: string; readonly among?: string; readonly narrowable?: boolean } = {},
): string {
  const { option = '--cluster', among, narrowable = false } = context;
  const where = among ? ` in ${among}` : '';
  if (found.length === 1) return found[0] as string;
  if (found.length === 0) {
    throw new UsageError(
      `${option} ${name}: no cluster of that name${where} has tasks or container instances in the latest-state tables; give its ARN (arn:aws:ecs:<region>:<account>:cluster/${name})`,
      { code: 'UNKNOWN_CLUSTER' },
    );
  }
  const narrow = narrowable ? ' (or narrow with --account / --region)' : '';
  throw new UsageError(`${option} ${name} is ambiguous${where}; give one of these ARNs${narrow}: ${found.join(', ')}`, {
    code: 'UNKNOWN_CLUSTER',
  });
}

/** `--since` (required) and `--until` (default now) as a closed, non-empty window (report, stats, replay). */
export function parseClosedWindow(values: Record<string, unknown>, nowMs = Date.now()): ClosedWindow {
  const w = parseWindow(values, { sinceRequired: true, untilDefaultsToNow: true, nowMs });
  if ((w.untilMs as number) <= (w.sinceMs as number))
    throw new UsageError('the window is empty: --until must be after --since');
  return { sinceMs: w.sinceMs as number, untilMs: w.untilMs as number };
}
