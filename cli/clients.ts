import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nameFailedRequests } from '../infra/awsErrors.js';
import { createDocumentClient } from '../infra/client.js';
import { type Config, readConfig, type TableNames } from '../infra/config.js';
import { createEcsClient } from '../infra/ecs.js';
import { clusterArnsNamed, clusterArnsWhere } from '../infra/stateQueries.js';
import { resolveCluster } from './args.js';
import { type ClusterScope, resolveClusters } from './clusterScope.js';
import type { CliContext } from './command.js';
import { resolveService } from './serviceArg.js';

/**
 * What a command reads and writes through. The settings come from the context's environment
 * (infra/config.ts); each client is made on first use, where the context says (else where the SDK's
 * own variables and credential chain say), and closed when the command is done.
 */
export interface Clients {
  readonly config: Config;
  readonly tables: TableNames;
  /** Items: a document client. */
  readonly doc: DynamoDBDocumentClient;
  /** Table administration (rebuild, verify). */
  readonly client: DynamoDBClient;
  /** A cluster ARN from `--cluster <arn or name>` (cli/args.ts resolveCluster). */
  cluster(value: unknown, option?: string): Promise<string>;
  /** The cluster ARNs of `--cluster` / `--account` / `--region` (cli/clusterScope.ts resolveClusters). */
  clusters(scope: ClusterScope): Promise<string[]>;
  /** A service ARN from `--service <arn or cluster/name>` (cli/serviceArg.ts resolveService). */
  service(value: unknown, option?: string): Promise<string>;
  /** The ECS API of the credentials' account and Region (reconcile); endpoint from AWS_ENDPOINT_URL_ECS when set. */
  readonly ecs: ECSClient;
  /** Lambda (`load --function` invokes the deployed ingest function); endpoint from AWS_ENDPOINT_URL_LAMBDA when set. */
  readonly lambda: LambdaClient;
}

/**
 * The one client setup of the CLI: runs `fn` with the clients of `context`, then closes them. Every
 * client notes on a failed request's error where it went (infra/awsErrors.ts), so that cli/main.ts
 * can name the endpoint and the resource in its one line.
 */
export async function withClients<T>(context: CliContext, fn: (clients: Clients) => Promise<T>): Promise<T> {
  const config = readConfig(context.env);
  const settings = context.clients ?? {};
  let doc: DynamoDBDocumentClient | undefined;
  let client: DynamoDBClient | undefined;
  let ecs: ECSClient | undefined;
  let lambda: LambdaClient | undefined;
  const clients: Clients = {
    config,
    tables: config.tables,
    get doc() {
      doc ??= nameFailedRequests(createDocumentClient(settings));
      return doc;
    },
    get client() {
      client ??= nameFailedRequests(new DynamoDBClient(settings));
      return client;
    },
    cluster: (value, option) =>
      resolveCluster(value, (name) => clusterArnsNamed(clients.doc, config.tables, name), option),
    clusters: (scope) => resolveClusters(scope, (filter) => clusterArnsWhere(clients.doc, config.tables, filter)),
    service: (value, option) => resolveService(value, (c, o) => clients.cluster(c, o), option),
    get ecs() {
      ecs ??= nameFailedRequests(createEcsClient({}, context.env));
      return ecs;
    },
    get lambda() {
      lambda ??= nameFailedRequests(new LambdaClient({}));
      return lambda;
    },
  };
  try {
    return await fn(clients);
  } finally {
    doc?.destroy();
    client?.destroy();
    ecs?.destroy();
    lambda?.destroy();
  }
}
