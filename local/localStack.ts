import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createIngestHandler, ingestSettings } from '../functions/ingest.js';
import { createProjectorHandler } from '../functions/projector.js';
import { createDocumentClient } from '../infra/client.js';
import { type ClientSettings, readConfig, type TableNames } from '../infra/config.js';
import { createTables } from '../infra/tableAdmin.js';
import { type DynamoLocal, startDynamoLocal } from './dynamoLocal.js';
import { type CheckpointStore, FileCheckpointStore, MemoryCheckpointStore } from './streamCheckpoints.js';
import { StreamPoller, type StreamPollerOptions } from './streamPoller.js';

/** Client settings for DynamoDB Local: its endpoint, and any region and credentials (it runs with -sharedDb). */
function localClientSettings(
  endpoint: string,
  env: NodeJS.ProcessEnv = process.env,
): ClientSettings & {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return {
    endpoint,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
  };
}

/** The same as the SDK's own variables, for another process or terminal (printed by `ecs-events local`). */
export function localEnv(endpoint: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const { region, credentials } = localClientSettings(endpoint, env);
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };
}

/** The pipeline wired to one set of tables: real ingest handler, real projector, a stream poller. */
export interface Pipeline {
  readonly tables: TableNames;
  /** Where its clients connect ({} = the SDK's own variables). */
  readonly clientSettings: ClientSettings;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly streamArn: string;
  readonly ingest: ReturnType<typeof createIngestHandler>;
  readonly projector: ReturnType<typeof createProjectorHandler>;
  /** A poller running the projector on the log's stream. */
  poller(options?: Partial<StreamPollerOptions>): StreamPoller;
}

/**
 * Creates the tables (idempotent) and wires the real handlers to them, configured from `env`
 * (infra/config.ts readConfig; `tables` overrides its table names). Clients connect as
 * `clientSettings` says, or else as the SDK's endpoint variables say.
 *
 * @example
 * ```ts
 * import { createPipeline } from './local/localStack.js';
 *
 * // With AWS_ENDPOINT_URL_DYNAMODB(_STREAMS) pointing at a DynamoDB Local (`ecs-events local` prints them).
 * const pipeline = await createPipeline({ eventLog: 'DemoLog', taskState: 'DemoTasks', instanceState: 'DemoInstances' });
 * // await pipeline.ingest(event): the real ingest handler; then the projector, from the real stream:
 * await pipeline.poller().drain();
 * pipeline.client.destroy();
 * ```
 */
export async function createPipeline(
  tables?: TableNames,
  env: NodeJS.ProcessEnv = process.env,
  clientSettings: ClientSettings = {},
): Promise<Pipeline> {
  const config = readConfig(env);
  const names = tables ?? config.tables;
  const client = new DynamoDBClient(clientSettings);
  const doc = createDocumentClient(clientSettings);
  const { streamArn } = await createTables(client, names);
  const ingest = createIngestHandler({ doc, ...ingestSettings(config), eventLogTable: names.eventLog });
  const projector = createProjectorHandler({ doc, tables: names, ttlDays: config.stateTtlDays });
  return {
    tables: names,
    clientSettings,
    client,
    doc,
    streamArn,
    ingest,
    projector,
    poller: (options = {}) =>
      new StreamPoller({
        streamArn,
        handler: projector,
        checkpoints: new MemoryCheckpointStore(),
        client: new DynamoDBStreamsClient(clientSettings),
        ...options,
      }),
  };
}

export interface LocalStack extends Pipeline {
  readonly dynamo: DynamoLocal;
  /** The SDK variables that point another process at this stack (localEnv). */
  readonly env: Record<string, string>;
  readonly checkpoints: CheckpointStore;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local + tables + pipeline, for `npm start`, `ecs-events local`, tests and benchmarks.
 * Leaves `process.env` alone: its own clients get the endpoint explicitly (`clientSettings`), and
 * so must any other client of this process that should use it; `env` is for other processes.
 *
 * @example
 * ```ts
 * import { startLocalStack } from './local/localStack.js';
 *
 * const stack = await startLocalStack(); // Java 17+; a free port, in memory
 * try {
 *   const poller = stack.poller();
 *   // await stack.ingest(event) for each event, then:
 *   await poller.drain(); // every log item projected
 * } finally {
 *   await stack.stop();
 * }
 * ```
 */
export async function startLocalStack(
  options: { port?: number; dataDir?: string; tables?: TableNames; env?: NodeJS.ProcessEnv } = {},
): Promise<LocalStack> {
  const dynamo = await startDynamoLocal({ port: options.port, dataDir: options.dataDir });
  const env = options.env ?? process.env;
  try {
    const pipeline = await createPipeline(options.tables, env, localClientSettings(dynamo.endpoint, env));
    const checkpoints = options.dataDir
      ? new FileCheckpointStore(join(options.dataDir, 'stream-checkpoints.json'))
      : new MemoryCheckpointStore();
    return {
      ...pipeline,
      dynamo,
      env: localEnv(dynamo.endpoint, env),
      checkpoints,
      poller: (o = {}) => pipeline.poller({ checkpoints, ...o }),
      async stop() {
        pipeline.client.destroy();
        await dynamo.stop();
      },
    };
  } catch (e) {
    await dynamo.stop();
    throw e;
  }
}
