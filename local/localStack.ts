import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createIngestHandler, ingestSettingsFromEnv } from '../functions/ingest.js';
import { createProjectorHandler } from '../functions/projector.js';
import { createDocumentClient } from '../infra/client.js';
import { envInteger, type TableNames, tableNamesFromEnv } from '../infra/config.js';
import { createTables } from '../infra/tableAdmin.js';
import { type DynamoLocal, startDynamoLocal } from './dynamoLocal.js';
import { type CheckpointStore, FileCheckpointStore, MemoryCheckpointStore } from './streamCheckpoints.js';
import { StreamPoller, type StreamPollerOptions } from './streamPoller.js';

/** The SDK's own variables that point every client at DynamoDB Local (printed for other terminals). */
export function localEnv(endpoint: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoint,
    // DynamoDB Local runs with -sharedDb: any credentials and region see the same tables.
    AWS_REGION: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? 'local',
  };
}

/** The pipeline wired to one set of tables: real ingest handler, real projector, a stream poller. */
export interface Pipeline {
  readonly tables: TableNames;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly streamArn: string;
  readonly ingest: ReturnType<typeof createIngestHandler>;
  readonly projector: ReturnType<typeof createProjectorHandler>;
  /** A poller running the projector on the log's stream. */
  poller(options?: Partial<StreamPollerOptions>): StreamPoller;
}

/** Creates the tables (idempotent) and wires the handlers. Clients follow the SDK endpoint variables. */
export async function createPipeline(
  tables: TableNames = tableNamesFromEnv(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<Pipeline> {
  const client = new DynamoDBClient({});
  const doc = createDocumentClient({});
  const { streamArn } = await createTables(client, tables);
  const ingest = createIngestHandler({ doc, ...ingestSettingsFromEnv(env), eventLogTable: tables.eventLog });
  const projector = createProjectorHandler({ doc, tables, ttlDays: envInteger(env, 'STATE_TTL_DAYS', 30) });
  return {
    tables,
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
        client: new DynamoDBStreamsClient({}),
        ...options,
      }),
  };
}

export interface LocalStack extends Pipeline {
  readonly dynamo: DynamoLocal;
  readonly env: Record<string, string>;
  readonly checkpoints: CheckpointStore;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local + tables + pipeline, for `npm start`, `ecs-events local`, tests and benchmarks.
 * Sets the SDK endpoint variables in this process so every client created afterwards uses it.
 */
export async function startLocalStack(
  options: { port?: number; dataDir?: string; tables?: TableNames } = {},
): Promise<LocalStack> {
  const dynamo = await startDynamoLocal({ port: options.port, dataDir: options.dataDir });
  const env = localEnv(dynamo.endpoint);
  Object.assign(process.env, env);
  try {
    const pipeline = await createPipeline(options.tables);
    const checkpoints = options.dataDir
      ? new FileCheckpointStore(join(options.dataDir, 'stream-checkpoints.json'))
      : new MemoryCheckpointStore();
    return {
      ...pipeline,
      dynamo,
      env,
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
