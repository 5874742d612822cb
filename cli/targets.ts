// What `rebuild` and `verify` work on: the log and the latest-state tables named by --table and a suffix.
import type { StateKind } from '../domain/kinds.js';
import type { TableNames } from '../infra/config.js';
import { defaultSegments, MAX_SEGMENTS } from '../usecases/segments.js';
import { parseInteger, parsePageSize } from './args.js';
import { UsageError } from './command.js';
import type { OptionTable } from './options.js';

/** `--table` and `--segments`, as rebuild and verify take them. */
export const TARGET_OPTIONS: OptionTable = {
  table: { type: 'string', value: 'T', default: 'all', help: 'task, instance or all' },
  segments: {
    type: 'string',
    value: 'N',
    help: `parallel scan segments, 1 to ${MAX_SEGMENTS} (default ${defaultSegments()}: twice the CPUs, at most 16)`,
  },
};

/** DynamoDB table names: 3 to 255 of letters, digits, _ - and . */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

interface Targets {
  readonly eventLog: string;
  /** The latest-state tables, task before instance. */
  readonly targets: Partial<Record<StateKind, string>>;
}

/**
 * The log and the chosen latest-state tables of `names` (the configured ones: EVENT_LOG_TABLE,
 * TASK_STATE_TABLE, INSTANCE_STATE_TABLE); a suffix is appended to the latest-state names, as the
 * deploy parameter `stateTableSuffix` does (the blue/green switch).
 */
function parseTargets(table: unknown, suffix: unknown, option: string, names: TableNames): Targets {
  const which = table ?? 'all';
  if (which !== 'task' && which !== 'instance' && which !== 'all') {
    throw new UsageError(`--table must be task, instance or all, got ${JSON.stringify(which)}`);
  }
  if (suffix !== undefined && (typeof suffix !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(suffix))) {
    throw new UsageError(
      `${option} must be letters, digits, _ - or . (a table-name suffix), got ${JSON.stringify(suffix)}`,
    );
  }
  const name = (base: string) => {
    const full = `${base}${suffix ?? ''}`;
    if (!TABLE_NAME.test(full)) throw new UsageError(`${option}: table name ${full} is longer than 255 characters`);
    return full;
  };
  const targets: Partial<Record<StateKind, string>> = {};
  if (which !== 'instance') targets.task = name(names.taskState);
  if (which !== 'task') targets.instance = name(names.instanceState);
  return { eventLog: names.eventLog, targets };
}

/** The scan rebuild and verify both run: which tables, in how many segments, how many items a page. */
interface Scan extends Targets {
  readonly segments: number | undefined;
  readonly pageSize: number | undefined;
}

/** `--table`, the suffix option (`--into` or `--suffix`), `--segments` and `--page-size`, checked. */
export function parseScan(values: Record<string, unknown>, suffixOption: 'into' | 'suffix', names: TableNames): Scan {
  const targets = parseTargets(values.table, values[suffixOption], `--${suffixOption}`, names);
  return { ...targets, segments: parseSegments(values.segments), pageSize: parsePageSize(values) };
}

/** `ECSTaskState` and `ECSCtrInstanceState`, for report headings. */
export const targetList = (t: Targets): string => Object.values(t.targets).join(', ');

/** `--segments N`: 1 to MAX_SEGMENTS parallel scan segments, or undefined for the default. */
function parseSegments(value: unknown): number | undefined {
  const segments = parseInteger(value, '--segments', 1);
  if (segments !== undefined && segments > MAX_SEGMENTS) {
    throw new UsageError(`--segments must be at most ${MAX_SEGMENTS}, got ${segments}`);
  }
  return segments;
}
