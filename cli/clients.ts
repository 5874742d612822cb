import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../infra/client.js';
import { type Config, readConfig, type TableNames } from '../infra/config.js';
import { clusterArnsNamed } from '../infra/stateQueries.js';
import { resolveCluster } from './args.js';
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
  /** A service ARN from `--service <arn or cluster/name>` (cli/serviceArg.ts resolveService). */
  service(value: unknown, option?: string): Promise<string>;
}

/** The one client setup of the CLI: runs `fn` with the clients of `context`, then closes them. */
export async function withClients<T>(context: CliContext, fn: (clients: Clients) => Promise<T>): Promise<T> {
  const config = readConfig(context.env);
  const settings = context.clients ?? {};
  let doc: DynamoDBDocumentClient | undefined;
  let client: DynamoDBClient | undefined;
  const clients: Clients = {
    config,
    tables: config.tables,
    get doc() {
      doc ??= createDocumentClient(settings);
      return doc;
    },
    get client() {
      client ??= new DynamoDBClient(settings);
      return client;
    },
    cluster: (value, option) =>
      resolveCluster(value, (name) => clusterArnsNamed(clients.doc, config.tables, name), option),
    service: (value, option) => resolveService(value, (c, o) => clients.cluster(c, o), option),
  };
  try {
    return await fn(clients);
  } finally {
    doc?.destroy();
    client?.destroy();
  }
}
