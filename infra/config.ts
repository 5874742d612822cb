import model, { type TableKind } from './tables.cjs';

export type TableNames = Record<TableKind, string>;

/** Table names from EVENT_LOG_TABLE, TASK_STATE_TABLE and INSTANCE_STATE_TABLE, else the defaults. */
export function tableNamesFromEnv(env: NodeJS.ProcessEnv = process.env): TableNames {
  const name = (kind: TableKind) => env[model.tables[kind].envVar] || model.tables[kind].defaultName;
  return { eventLog: name('eventLog'), taskState: name('taskState'), instanceState: name('instanceState') };
}

/** A boolean environment variable: "false", "0", "no" and "off" turn it off. */
export function envFlag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const v = env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return fallback;
  return !['false', '0', 'no', 'off'].includes(v);
}

/** A non-negative integer environment variable; anything else is a configuration error, said plainly. */
export function envInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name]?.trim();
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}
