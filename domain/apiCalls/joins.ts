import type { CallAction } from './actions.js';

/**
 * The joins of calls to the state changes they caused: pure functions over what the log returns
 * (the calls index entries or the items of a `#call` partition) and the events of a task or service.
 * A call reaches EventBridge seconds to minutes after it was made, and so, often, after the state
 * change it caused: nothing is joined at write time, each query joins what the log holds then, so a
 * late call shows at the next query with nothing to repair.
 */
export interface CallEntry {
  readonly eventId: string;
  readonly action: CallAction | string;
  /** Principal.name (domain/apiCalls/principal.ts). */
  readonly principal: string;
  /** The role (session issuer) or user ARN. */
  readonly principalArn?: string;
  readonly errorCode?: string;
  /** The resource this entry is filed under (a call about several resources has one entry each). */
  readonly resourceArn: string;
  readonly eventTime: number;
  /** CreateService / UpdateService: the PRIMARY deployment of its response, the one the call started. */
  readonly deploymentId?: string;
}

/** A call that failed for want of permission: `who` counts these as denied attempts. */
export const isDenied = (c: Pick<CallEntry, 'errorCode'>): boolean =>
  c.errorCode !== undefined && /AccessDenied|Unauthorized/i.test(c.errorCode);

const succeeded = (c: CallEntry): boolean => c.errorCode === undefined;

/**
 * How long after a state change its call may carry an earlier-looking time: CloudTrail's `eventTime`
 * and ECS's `updatedAt` come from different clocks, so a StopTask may read up to this much after the
 * STOPPED it caused.
 */
export const CLOCK_SLACK_MS = 60_000;

/** The successful calls of these actions on one resource, at or before a time (slack included), latest last. */
function callsBefore(calls: readonly CallEntry[], resource: string, actions: readonly string[], atMs: number) {
  return calls
    .filter((c) => c.resourceArn === resource && actions.includes(c.action) && succeeded(c))
    .filter((c) => c.eventTime <= atMs + CLOCK_SLACK_MS)
    .sort((a, b) => a.eventTime - b.eventTime);
}

/** The StopTask that stopped a task (its last successful one before the STOPPED event). */
export const stoppedBy = (calls: readonly CallEntry[], taskArn: string, stoppedAtMs: number): CallEntry | undefined =>
  callsBefore(calls, taskArn, ['StopTask'], stoppedAtMs).at(-1);

export interface DeploymentStarter<C extends CallEntry = CallEntry> {
  readonly call: C;
  /** True when no call named the deployment: the nearest earlier UpdateService of the service. */
  readonly nearest: boolean;
}

/**
 * Who started a deployment: the CreateService or UpdateService whose response's PRIMARY deployment is
 * this one (an UpdateService response also lists the older, ACTIVE deployments it replaces: those are
 * not its own), else the nearest earlier UpdateService of that service, marked as nearest.
 */
export function deploymentStarter<C extends CallEntry>(
  calls: readonly C[],
  deploymentId: string,
  startedAtMs: number,
): DeploymentStarter<C> | undefined {
  const named = calls.find(
    (c) => succeeded(c) && c.deploymentId === deploymentId && ['CreateService', 'UpdateService'].includes(c.action),
  );
  if (named) return { call: named, nearest: false };
  const earlier = calls
    .filter((c) => succeeded(c) && c.action === 'UpdateService' && c.eventTime <= startedAtMs + CLOCK_SLACK_MS)
    .sort((a, b) => a.eventTime - b.eventTime)
    .at(-1);
  return earlier && { call: earlier, nearest: true };
}

/** One line of `who`: a principal's calls in the window. */
export interface PrincipalActivity {
  readonly principal: string;
  readonly principalArn?: string;
  /** Distinct calls (a call about two tasks counts once). */
  readonly calls: number;
  readonly denied: number;
  readonly actions: Readonly<Record<string, number>>;
  readonly lastTime: number;
  /** The resources its calls were filed under, sorted. */
  readonly resources: readonly string[];
}

/** `who`: calls grouped by principal, most calls first (then by name). */
export function activityByPrincipal(entries: readonly CallEntry[]): PrincipalActivity[] {
  interface Group {
    arn?: string;
    readonly calls: Map<string, CallEntry>;
    readonly resources: Set<string>;
  }
  const groups = new Map<string, Group>();
  for (const e of entries) {
    const g: Group = groups.get(e.principal) ?? { calls: new Map(), resources: new Set() };
    if (e.principalArn !== undefined) g.arn = e.principalArn;
    g.calls.set(e.eventId, e);
    g.resources.add(e.resourceArn);
    groups.set(e.principal, g);
  }
  return [...groups]
    .map(([principal, g]) => {
      const calls = [...g.calls.values()];
      const actions: Record<string, number> = {};
      for (const c of calls) actions[c.action] = (actions[c.action] ?? 0) + 1;
      return {
        principal,
        ...(g.arn !== undefined && { principalArn: g.arn }),
        calls: calls.length,
        denied: calls.filter(isDenied).length,
        actions,
        lastTime: Math.max(...calls.map((c) => c.eventTime)),
        resources: [...g.resources].sort(),
      };
    })
    .sort((a, b) => b.calls - a.calls || a.principal.localeCompare(b.principal));
}

/** An assumed-role session ARN: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
const SESSION_ARN = /^arn:[^:]+:sts::\d{12}:assumed-role\/([^/]+)\/(.+)$/;

/**
 * `--principal P` on an index entry: P is the principal's short name (`root`, a user name,
 * `<role>/<session>`), the role or the session name alone, the role or user ARN whose credentials
 * were used, or an assumed-role session ARN. Exact and case-sensitive, as IAM names are.
 */
export function callMatchesPrincipal(c: Pick<CallEntry, 'principal' | 'principalArn'>, wanted: string): boolean {
  const session = SESSION_ARN.exec(wanted);
  if (session) return c.principal === `${session[1]}/${session[2]}`;
  const [role, ...rest] = c.principal.split('/');
  return [c.principal, role, rest.join('/'), c.principalArn, c.principalArn?.split('/').at(-1)].includes(wanted);
}
