import {
  CreateClusterCommand,
  type ECSClient,
  ECSServiceException,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { createEcsClient } from '../../infra/ecs.js';

// The ECS API of moto_server (moto 5.2.1), with its known gaps closed by SDK middleware on the test's
// client, each one visibly and switchable, so a test says which real-ECS behaviour it relies on:
// - versions:  moto's tasks and container instances have no `version`: `stampVersions` sets it on
//              every DescribeTasks / DescribeContainerInstances answer, from `versions` (default 1);
// - paging:    moto's ListTasks / ListContainerInstances / ListClusters return everything at once:
//              pages of at most 100 (maxResults) with a nextToken, as ECS does;
// - 100 cap:   moto describes any number of ARNs: more than 100 is refused (InvalidParameterException);
// - MISSING:   moto's DescribeTasks silently leaves out unknown ARNs (and matches ARNs by substring,
//              across clusters): only the asked ARNs of the asked cluster come back, the others as
//              failures with reason MISSING;
// - throttling (injected, not a gap): `throttle` fails the next N requests of an operation with
//              ThrottlingException inside the SDK's retry loop, as ECS does under load.

export interface MotoGaps {
  /** Stamp `version` on described tasks and instances (off: the no-version path). */
  stampVersions: boolean;
  /** The version of each ARN when stamped; unset ARNs get 1. */
  readonly versions: Map<string, number>;
  /** Fail the next `times` requests of `operation` (e.g. "DescribeTasks") with ThrottlingException. */
  throttle?: { operation: string; times: number };
  /** Requests that reached moto, per operation (every attempt), and throttles injected. */
  readonly requests: Record<string, number>;
  throttled: number;
}

export const motoGaps = (): MotoGaps => ({ stampVersions: true, versions: new Map(), requests: {}, throttled: 0 });

type Output = Record<string, unknown> & { $metadata?: unknown };
const operationOf = (context: { commandName?: string }) => (context.commandName ?? '').replace(/Command$/, '');

const LIST_FIELDS: Record<string, string> = {
  ListTasks: 'taskArns',
  ListContainerInstances: 'containerInstanceArns',
  ListClusters: 'clusterArns',
};

/** An ECS client on moto_server with the gaps closed (the client's retries as in production: infra/ecs.ts). */
export function motoEcsClient(endpoint: string, gaps: MotoGaps): ECSClient {
  const client = createEcsClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
  });
  // Outermost (before the retry loop): shape moto's answers like ECS's.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context);
      const input = args.input as Record<string, unknown>;
      const listField = LIST_FIELDS[operation];
      if (listField) {
        const result = await next({ ...args, input: { ...input, nextToken: undefined, maxResults: undefined } });
        const output = result.output as Output;
        const all = (output[listField] as string[] | undefined) ?? [];
        const offset = Number(input.nextToken ?? 0);
        const size = Math.min(Number(input.maxResults ?? 100), 100);
        output[listField] = all.slice(offset, offset + size);
        output.nextToken = offset + size < all.length ? String(offset + size) : undefined;
        return result;
      }
      const asked = (operation === 'DescribeTasks' ? input.tasks : input.containerInstances) as string[] | undefined;
      if (operation !== 'DescribeTasks' && operation !== 'DescribeContainerInstances') return next(args);
      if ((asked?.length ?? 0) > 100) {
        throw new ECSServiceException({
          name: 'InvalidParameterException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: `${operation} takes at most 100 ARNs, got ${asked?.length}`,
        });
      }
      const result = await next(args);
      const output = result.output as Output;
      const field = operation === 'DescribeTasks' ? 'tasks' : 'containerInstances';
      const arnField = operation === 'DescribeTasks' ? 'taskArn' : 'containerInstanceArn';
      const cluster = String(input.cluster);
      const inCluster = (o: Record<string, unknown>) =>
        o.clusterArn === cluster || String(o.clusterArn).endsWith(`:cluster/${cluster}`);
      const wanted = new Set(asked ?? []);
      const found = ((output[field] as Record<string, unknown>[] | undefined) ?? []).filter(
        (o) => wanted.has(o[arnField] as string) && (operation !== 'DescribeTasks' || inCluster(o)),
      );
      if (gaps.stampVersions) for (const o of found) o.version = gaps.versions.get(o[arnField] as string) ?? 1;
      const answered = new Set(found.map((o) => o[arnField] as string));
      output[field] = found;
      output.failures = [...wanted].filter((arn) => !answered.has(arn)).map((arn) => ({ arn, reason: 'MISSING' }));
      return result;
    },
    { step: 'initialize', name: 'motoGaps' },
  );
  // Inside the retry loop: every attempt is counted, and an injected throttle is retried by the SDK.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context);
      gaps.requests[operation] = (gaps.requests[operation] ?? 0) + 1;
      if (gaps.throttle && gaps.throttle.operation === operation && gaps.throttle.times > 0) {
        gaps.throttle.times--;
        gaps.throttled++;
        throw new ECSServiceException({
          name: 'ThrottlingException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Rate exceeded',
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'motoThrottle' },
  );
  return client;
}

/** moto advances a task's status on every DescribeTasks by default: keep it still, as ECS does. */
export async function freezeMotoTasks(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'ecs::task', transition: { progression: 'manual', times: 1_000_000 } }),
  });
  if (!res.ok) throw new Error(`moto set-transition failed: ${res.status}`);
}

/** An EC2 instance in moto (RegisterContainerInstance needs one), through the EC2 Query API. */
async function runEc2Instance(endpoint: string): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=moto/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: 'Action=RunInstances&Version=2016-11-15&ImageId=ami-12345678&MinCount=1&MaxCount=1&InstanceType=m5.large',
  });
  const id = /<instanceId>([^<]+)</.exec(await res.text())?.[1];
  if (!id) throw new Error('moto RunInstances returned no instance id');
  return id;
}

/** A cluster with `instances` registered container instances (fake instance identity documents) and a task definition. */
export async function motoCluster(
  ecs: ECSClient,
  endpoint: string,
  name: string,
  instances: number,
): Promise<{ clusterArn: string; instanceArns: string[] }> {
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const instanceArns: string[] = [];
  for (let i = 0; i < instances; i++) {
    const instanceId = await runEc2Instance(endpoint);
    const document = JSON.stringify({
      instanceId,
      region: 'us-east-1',
      availabilityZone: 'us-east-1a',
      accountId: '123456789012',
      instanceType: 'm5.large',
    });
    const { containerInstance } = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: name,
        instanceIdentityDocument: document,
        instanceIdentityDocumentSignature: 'fake',
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 65_536 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 262_144 },
        ],
        tags: [{ key: 'pool', value: 'general' }],
      }),
    );
    instanceArns.push(containerInstance?.containerInstanceArn as string);
  }
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: 'nginx', memory: 16, cpu: 8 }],
    }),
  );
  return { clusterArn: cluster?.clusterArn as string, instanceArns };
}

/** Runs `count` tasks (RunTask places at most 10 a call), tagged; their ARNs. */
export async function motoRunTasks(ecs: ECSClient, cluster: string, count: number): Promise<string[]> {
  const arns: string[] = [];
  while (arns.length < count) {
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: 'web',
        count: Math.min(10, count - arns.length),
        startedBy: 'reconcile-test',
        tags: [{ key: 'team', value: 'payments' }],
      }),
    );
    arns.push(...(tasks ?? []).map((t) => t.taskArn as string));
  }
  return arns;
}

export async function motoStopTask(ecs: ECSClient, cluster: string, task: string): Promise<void> {
  await ecs.send(new StopTaskCommand({ cluster, task, reason: 'Task stopped by user' }));
}
