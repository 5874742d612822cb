import { createRequire } from 'node:module';

// Records every AWS API call of this process: SDK middleware, added to every client (whoever made it,
// wherever) at its first request, that notes the IAM action and the resource of each operation.
// What `ecs-events iam-policy` must grant is then checked against what the commands really call.

export interface RecordedCall {
  /** The IAM action: `dynamodb:Query`, `lambda:InvokeFunction`, ... */
  readonly action: string;
  /** The resource as IAM names it, without `arn:<partition>:<service>:<region>:<account>:`. */
  readonly resource: string;
}

type Input = Record<string, unknown>;

/** IAM's name of an operation where it is not the operation's own: Lambda's Invoke is InvokeFunction. */
const ACTION_OF: Record<string, string> = { 'lambda:Invoke': 'lambda:InvokeFunction' };

const SERVICE_OF: Record<string, string> = {
  DynamoDBClient: 'dynamodb',
  DynamoDBDocumentClient: 'dynamodb',
  DynamoDBStreamsClient: 'dynamodb',
  LambdaClient: 'lambda',
  ECSClient: 'ecs',
  EventBridgeClient: 'events',
  SQSClient: 'sqs',
};

const lastPart = (nameOrArn: unknown): string => String(nameOrArn).split(':').at(-1) as string;

/** The resources one request touches, as IAM names them (after the account part of the ARN). */
function resourcesOf(service: string, operation: string, input: Input): string[] {
  if (service === 'dynamodb') {
    if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
      return Object.keys((input.RequestItems as Input | undefined) ?? {}).map((t) => `table/${t}`);
    }
    if (operation === 'ListTables') return ['*'];
    const table = `table/${String(input.TableName)}`;
    return [input.IndexName === undefined ? table : `${table}/index/${String(input.IndexName)}`];
  }
  if (service === 'lambda') return [`function:${lastPart(input.FunctionName)}`];
  if (service === 'sqs') return [String(input.QueueUrl).split('/').at(-1) as string];
  if (service === 'events') {
    if (operation === 'DescribeArchive') return [`archive/${String(input.ArchiveName)}`];
    if (operation === 'StartReplay' || operation === 'DescribeReplay') return [`replay/${String(input.ReplayName)}`];
    if (operation === 'DescribeRule') {
      const bus =
        input.EventBusName === undefined ? 'default' : lastPart(input.EventBusName).replace(/^event-bus\//, '');
      return [bus === 'default' ? `rule/${String(input.Name)}` : `rule/${bus}/${String(input.Name)}`];
    }
  }
  // ECS List*/Describe* are granted on "*" (cli/iamPolicy.ts says why); anything else is shown as is.
  return ['*'];
}

export interface CallRecorder {
  readonly calls: RecordedCall[];
  /** Calls recorded since `mark` was taken. */
  since(mark: number): RecordedCall[];
  stop(): void;
}

/**
 * Starts recording: patches the SDK's one `Client.send` (@smithy/core, which every v3 client extends)
 * to add the recording middleware to each client's stack before its first request.
 */
export function recordCalls(): CallRecorder {
  const require = createRequire(import.meta.url);
  const { Client } = require('@smithy/core/client') as {
    Client: { prototype: { send: (...a: unknown[]) => unknown } };
  };
  const calls: RecordedCall[] = [];
  const instrumented = new WeakSet<object>();
  const original = Client.prototype.send;
  let recording = true;
  Client.prototype.send = function patchedSend(this: { middlewareStack: MiddlewareStack }, ...args: unknown[]) {
    if (!instrumented.has(this.middlewareStack)) {
      instrumented.add(this.middlewareStack);
      this.middlewareStack.add(
        (next: (a: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
          async (request: { input: Input }) => {
            if (recording) {
              const service = SERVICE_OF[context.clientName ?? ''] ?? context.clientName ?? 'unknown';
              const operation = (context.commandName ?? '').replace(/Command$/, '');
              const action = ACTION_OF[`${service}:${operation}`] ?? `${service}:${operation}`;
              for (const resource of resourcesOf(service, operation, request.input)) calls.push({ action, resource });
            }
            return next(request);
          },
        { step: 'initialize', name: 'recordIamCalls' },
      );
    }
    return original.apply(this, args);
  };
  return {
    calls,
    since: (mark) => calls.slice(mark),
    stop() {
      recording = false;
      Client.prototype.send = original;
    },
  };
}

interface MiddlewareStack {
  add(middleware: unknown, options: { step: string; name: string }): void;
}
