import { newer, type Projection } from './projection.js';

/**
 * Streaming reduction of a log scan to the latest state per resource, with memory for ONE resource.
 *
 * Within a scan segment the items of one ARN arrive together and in version order (how DynamoDB
 * stores a partition; Scan documents no order). So a resource's "run" ends when the next item
 * belongs to another resource, and its latest projection can be written then: one write per ARN
 * instead of one per event. If the order ever differs, a resource simply yields more than one run
 * (more writes); correctness rests on the conditional "only if newer" write, never on this order.
 */
export interface ReduceStep {
  /** The run in progress: the highest version seen so far of the current resource. */
  readonly pending: Projection;
  /** The previous resource's latest projection, complete because another resource began. */
  readonly emit?: Projection;
}

const sameResource = (a: Projection, b: Projection): boolean => a.kind === b.kind && a.arn === b.arn;

export function reduceStep(pending: Projection | undefined, next: Projection): ReduceStep {
  if (pending === undefined) return { pending: next };
  if (sameResource(pending, next)) return { pending: newer(pending, next) };
  return { pending: next, emit: pending };
}

/** Reduces a whole sequence (for tests and small inputs): the runs' latest projections, in order. */
export function reduceRuns(projections: Iterable<Projection>): Projection[] {
  const out: Projection[] = [];
  let pending: Projection | undefined;
  for (const p of projections) {
    const step = reduceStep(pending, p);
    pending = step.pending;
    if (step.emit) out.push(step.emit);
  }
  if (pending) out.push(pending);
  return out;
}
