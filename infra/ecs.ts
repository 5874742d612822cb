import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  type ECSClientConfig,
  paginateListClusters,
  paginateListContainerInstances,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import { chunks } from '../domain/chunks.js';
import { retriesOf } from './client.js';

// The ECS API gateway of the reconciler: list and describe, paginated, in chunks, rate-capped; the
// retries are the SDK's (adaptive mode), nobody else's.

/**
 * Requests per operation, first try included. ECS throttles per account and Region with token
 * buckets that every other tool of the account shares: give the adaptive limiter room to slow down.
 */
const MAX_ATTEMPTS = 8;

/** DescribeTasks and DescribeContainerInstances take at most 100 ARNs; the list calls return at most 100 a page. */
const ECS_BATCH = 100;

/**
 * An ECS client. The endpoint comes from the SDK's own variables (AWS_ENDPOINT_URL_ECS or
 * AWS_ENDPOINT_URL); unset, it is AWS. Retries: `adaptive` mode (backoff with jitter plus a client
 * side rate limiter that slows down when ECS throttles) and MAX_ATTEMPTS, unless AWS_RETRY_MODE /
 * AWS_MAX_ATTEMPTS or `config` say otherwise.
 */
export function createEcsClient(config: ECSClientConfig = {}, env: NodeJS.ProcessEnv = process.env): ECSClient {
  return new ECSClient({
    ...(!env.AWS_MAX_ATTEMPTS && { maxAttempts: MAX_ATTEMPTS }),
    ...(!env.AWS_RETRY_MODE && { retryMode: 'adaptive' }),
    ...config,
  });
}

/** Requests and retries per ECS operation, for the report (the cost of a run). */
export type ApiCalls = Record<string, { requests: number; retries: number }>;

export interface EcsGatewayOptions {
  /** At most this many requests a second (every attempt counts); 0 or undefined: no cap of ours. */
  readonly rate?: number | undefined;
}

/**
 * Spaces the client's requests at least 1000/rate ms apart, every attempt included: the step runs
 * inside the SDK's retry loop (finalizeRequest, low priority), so a retried request waits its turn too.
 */
const RATE_CAP = 'ecsEventsRateCap';

function capRate(client: ECSClient, perSecond: number): void {
  const gap = 1000 / perSecond;
  let next = 0;
  // One cap per client: a gateway made again over the same client (each Lambda run) replaces it.
  client.middlewareStack.remove(RATE_CAP);
  client.middlewareStack.add(
    (run) => async (args) => {
      const now = Date.now();
      const at = Math.max(now, next);
      next = at + gap;
      if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
      return run(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: RATE_CAP },
  );
}

/** What DescribeTasks / DescribeContainerInstances said about some ARNs. */
export interface Described {
  /** The Task or ContainerInstance objects, as the SDK returned them (Dates for timestamps). */
  readonly found: Record<string, unknown>[];
  /** ARNs ECS answered with a failure, and its reason (`MISSING` for one it does not know). */
  readonly failures: { readonly arn: string; readonly reason: string }[];
}

/** The reads the reconciler makes of one account and Region. */
export interface EcsGateway {
  listClusters(): Promise<string[]>;
  /** Task ARNs of one desired status; ListTasks' default is RUNNING, so STOPPED is its own listing. */
  listTasks(cluster: string, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<string[]>;
  /** DescribeTasks with tags, 100 ARNs a request. */
  describeTasks(cluster: string, arns: readonly string[]): Promise<Described>;
  /** Every container instance but INACTIVE ones (ListContainerInstances lists no INACTIVE instance). */
  listContainerInstances(cluster: string): Promise<string[]>;
  /** DescribeContainerInstances with tags, 100 ARNs a request. */
  describeContainerInstances(cluster: string, arns: readonly string[]): Promise<Described>;
  /** Requests made so far, per operation. */
  readonly calls: ApiCalls;
}

/** The gateway over one client. It counts requests and retries per operation as responses come. */
export function ecsGateway(client: ECSClient, options: EcsGatewayOptions = {}): EcsGateway {
  if (options.rate !== undefined && options.rate > 0) capRate(client, options.rate);
  else client.middlewareStack.remove(RATE_CAP);
  const calls: ApiCalls = {};
  const count = (operation: string, output: unknown) => {
    calls[operation] ??= { requests: 0, retries: 0 };
    const c = calls[operation];
    const retries = retriesOf(output);
    c.requests += 1 + retries;
    c.retries += retries;
  };
  async function all<T>(operation: string, pages: AsyncIterable<T>, arns: (page: T) => string[] | undefined) {
    const out: string[] = [];
    for await (const page of pages) {
      count(operation, page);
      out.push(...(arns(page) ?? []));
    }
    return out;
  }
  /** A Describe call 100 ARNs at a time: what ECS found, and the ARNs it failed with their reasons. */
  const describe = async (
    operation: string,
    arns: readonly string[],
    call: (chunk: string[]) => Promise<{ out: { failures?: { arn?: string; reason?: string }[] }; found?: unknown[] }>,
  ): Promise<Described> => {
    const found: Record<string, unknown>[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const chunk of chunks(arns, ECS_BATCH)) {
      const { out, found: some } = await call(chunk);
      count(operation, out);
      found.push(...((some ?? []) as Record<string, unknown>[]));
      for (const f of out.failures ?? []) if (f.arn) failures.push({ arn: f.arn, reason: f.reason ?? 'UNKNOWN' });
    }
    return { found, failures };
  };
  return {
    calls,
    listClusters: () =>
      all('ListClusters', paginateListClusters({ client, pageSize: ECS_BATCH }, {}), (p) => p.clusterArns),
    listTasks: (cluster, desiredStatus) =>
      all(
        'ListTasks',
        paginateListTasks({ client, pageSize: ECS_BATCH }, { cluster, desiredStatus }),
        (p) => p.taskArns,
      ),
    listContainerInstances: (cluster) =>
      all(
        'ListContainerInstances',
        paginateListContainerInstances({ client, pageSize: ECS_BATCH }, { cluster }),
        (p) => p.containerInstanceArns,
      ),
    describeTasks: (cluster, arns) =>
      describe('DescribeTasks', arns, async (tasks) => {
        const out = await client.send(new DescribeTasksCommand({ cluster, tasks, include: ['TAGS'] }));
        return { out, found: out.tasks };
      }),
    describeContainerInstances: (cluster, arns) =>
      describe('DescribeContainerInstances', arns, async (containerInstances) => {
        const out = await client.send(
          new DescribeContainerInstancesCommand({ cluster, containerInstances, include: ['TAGS'] }),
        );
        return { out, found: out.containerInstances };
      }),
  };
}
