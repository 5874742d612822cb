/**
 * Formatters the server (the report's tables, `ecs-events stats`, the other commands' tables) and
 * the page script (its tooltips) share, so a duration or an ARN reads the same in both.
 * Browser-safe: the page bundle imports it.
 */

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`; `–` for none. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a < 1_000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  const s = Math.round(a / 1000);
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${sign}${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const ECS_ARN = /^arn:[^:]+:ecs:[^:]*:[^:]*:/;

/**
 * `arn:aws:ecs:us-east-1:111122223333:task/prod/0123…` → `task/prod/0123…`: the part a reader needs
 * in a table. Anything else (not an ECS ARN, not a string) is returned as it is.
 */
export function shortArn(arn: string): string;
export function shortArn(arn: unknown): unknown;
export function shortArn(arn: unknown): unknown {
  return typeof arn === 'string' && ECS_ARN.test(arn) ? arn.split(':').slice(5).join(':') : arn;
}
