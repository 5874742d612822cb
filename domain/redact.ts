import type { EcsEvent } from './eventTypes.js';

/** What replaces a container-override environment value in the log, the tables and the logs. */
export const REDACTED = '[REDACTED]';

/**
 * Task events copy RunTask container-override environment variables, often secrets, into the
 * event. Returns a copy with every `overrides.containerOverrides[].environment[].value` replaced
 * by REDACTED (names kept, so the audit still shows which variables were set).
 */
export function redactOverrideEnvironment(event: EcsEvent): EcsEvent {
  const overrides = event.detail.overrides as Record<string, unknown> | undefined;
  const redacted = overrides === undefined ? undefined : redactOverrides(overrides);
  if (redacted === overrides) return event;
  return { ...event, detail: { ...event.detail, overrides: redacted } };
}

/**
 * `overrides` (of a task event, or of a RunTask, StartTask or CreateTaskSet call) with every
 * `containerOverrides[].environment[].value` replaced by REDACTED; the same object when it has none.
 */
export function redactOverrides<T extends Record<string, unknown>>(overrides: T): T {
  if (!Array.isArray(overrides?.containerOverrides)) return overrides;
  let changed = false;
  const containerOverrides = overrides.containerOverrides.map((co: unknown) => {
    const env = (co as { environment?: unknown } | null)?.environment;
    if (!Array.isArray(env)) return co;
    changed = true;
    return {
      ...(co as object),
      environment: env.map((v: unknown) =>
        v !== null && typeof v === 'object' && 'value' in v ? { ...v, value: REDACTED } : v,
      ),
    };
  });
  return changed ? { ...overrides, containerOverrides } : overrides;
}
