import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Random } from '../../../sim/random.js';

export type FaultKind = 'throttling' | 'serverError' | 'timeout';
export type FaultWhen = 'before' | 'after';

export interface FaultPlan {
  /** Fraction of calls that fail before the request is sent (nothing reaches DynamoDB). */
  readonly before: number;
  /** Fraction of calls that succeeded in DynamoDB but are reported to the caller as failed. */
  readonly after: number;
  readonly kinds?: readonly FaultKind[];
  readonly rng: Random;
  /** Which calls may fail (by their command input); default every call. */
  readonly only?: (input: Record<string, unknown>) => boolean;
}

export interface FaultStats {
  /** Set to stop injecting (the middleware stays, calls pass through). */
  paused: boolean;
  calls: number;
  before: number;
  after: number;
  byKind: Record<FaultKind, number>;
  /** Every injected error, so tests can check that each one surfaced. */
  readonly injected: Set<Error>;
}

const ALL_KINDS: readonly FaultKind[] = ['throttling', 'serverError', 'timeout'];

/** The errors the SDK raises for DynamoDB throttling, a 500 and a socket timeout. */
function faultError(kind: FaultKind, when: FaultWhen, rng: Random): Error {
  const message = `injected ${kind} (${when} the request)`;
  const $metadata = { attempts: 1, totalRetryDelay: 0 };
  switch (kind) {
    case 'throttling':
      return rng() < 0.5
        ? new ProvisionedThroughputExceededException({ message, $metadata: { ...$metadata, httpStatusCode: 400 } })
        : new ThrottlingException({ message, $metadata: { ...$metadata, httpStatusCode: 400 } });
    case 'serverError':
      return new InternalServerError({ message, $metadata: { ...$metadata, httpStatusCode: 500 } });
    case 'timeout':
      // What @smithy/node-http-handler throws when a socket times out.
      return Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });
  }
}

/**
 * Fault injection on a REAL client: a middleware in the finalizeRequest step, inside the SDK's retry
 * loop and just before the request goes on the wire. "before" faults throw without sending; "after"
 * faults let DynamoDB apply the request and then throw, as when a response is lost. The document
 * client shares its middleware stack with its DynamoDBClient, so every command through it is exposed.
 */
export function injectFaults(doc: DynamoDBDocumentClient, plan: FaultPlan): FaultStats {
  const kinds = plan.kinds ?? ALL_KINDS;
  const stats: FaultStats = {
    paused: false,
    calls: 0,
    before: 0,
    after: 0,
    byKind: { throttling: 0, serverError: 0, timeout: 0 },
    injected: new Set(),
  };
  const fail = (when: FaultWhen): never => {
    const kind = kinds[Math.floor(plan.rng() * kinds.length)] as FaultKind;
    const error = faultError(kind, when, plan.rng);
    stats[when]++;
    stats.byKind[kind]++;
    stats.injected.add(error);
    throw error;
  };
  doc.middlewareStack.add(
    (next, _context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (stats.paused || (plan.only && !plan.only(input))) return next(args);
      stats.calls++;
      if (plan.rng() < plan.before) fail('before');
      const out = await next(args);
      if (plan.rng() < plan.after) fail('after');
      return out;
    },
    { step: 'finalizeRequest', priority: 'low', name: 'reliabilityFaultInjection' },
  );
  return stats;
}

/** Calls fn until it succeeds, as EventBridge/Lambda retry a failed delivery; returns the errors seen. */
export async function retryUntilSuccess<T>(
  fn: () => Promise<T>,
  maxAttempts = 50,
): Promise<{ value: T; errors: unknown[] }> {
  const errors: unknown[] = [];
  for (;;) {
    try {
      return { value: await fn(), errors };
    } catch (e) {
      errors.push(e);
      if (errors.length >= maxAttempts) throw e;
    }
  }
}
