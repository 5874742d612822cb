// The timestamps real ECS task events carry (createdAt apart), for the simulated workloads: the
// latency table of `stats` and the report reads them (domain/lifecycle/latency.ts).

const iso = (ms: number): string => new Date(ms).toISOString();

/** The states of a task told to stop (Fargate's four; an EC2 task goes straight to STOPPED). */
export const STOPPING_STATES = ['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];

/**
 * The timestamps a task event gains when it reaches `lastStatus` at `t` (the previous event at
 * `previous`): the image pull and `startedAt` happen between the last state before RUNNING and
 * RUNNING (a task that fails to start gets only `pullStartedAt`, as a pull that never finished);
 * `stoppingAt` at the first state after the task was told to stop, `executionStoppedAt` when its
 * containers exited (DEPROVISIONING on Fargate, STOPPED on EC2), `stoppedAt` at STOPPED.
 */
export function stampsReached(
  lastStatus: string,
  path: readonly string[],
  previous: number,
  t: number,
  reached: Readonly<Record<string, string>>,
): Record<string, string> {
  const at = (share: number) => iso(Math.round(previous + share * (t - previous)));
  const stamps: Record<string, string> = {};
  if (lastStatus === 'RUNNING')
    Object.assign(stamps, { pullStartedAt: at(0.2), pullStoppedAt: at(0.7), startedAt: iso(t) });
  if (STOPPING_STATES.includes(lastStatus) && reached.stoppingAt === undefined) {
    stamps.stoppingAt = at(0.5);
    // The pull that failed is what stopped a task that never ran.
    if (!path.includes('RUNNING')) stamps.pullStartedAt = at(0.3);
  }
  const exited = path.includes('DEPROVISIONING') ? 'DEPROVISIONING' : 'STOPPED';
  if (lastStatus === exited) stamps.executionStoppedAt = at(0.8);
  if (lastStatus === 'STOPPED') stamps.stoppedAt = iso(t);
  return stamps;
}
