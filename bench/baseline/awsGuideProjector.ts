// The AWS guide's example Lambda ("Handling Amazon ECS events", Amazon ECS Developer Guide,
// ecs_cwet_handling), ported from Python to TypeScript call for call, as the benchmarks' baseline.
// It lives only in bench/: it is what this project replaces, kept here to be measured against.
//
// What is kept exactly: one invocation per delivered EventBridge event; one GetItem on the
// latest-state table keyed by taskArn or containerInstanceArn; a compare of detail.version in the
// function; then an unconditional PutItem of {cw_version, ...detail} when the stored version is
// lower or no row exists. Its known faults are kept too, because they are what is measured: the
// read-then-write is not atomic (two racing deliveries can both pass the check and the older one can
// land last), and the `status` rename looks at the top-level event, where `status` never is.
// Its prints are kept (the whole bill counts what each function writes to CloudWatch Logs): the
// event as Python's `json.dumps` writes it (bench/baseline/pythonJson.ts) and three more lines; without
// `print` they are silenced, as this project's own logs are in the request-count figures.
// What is not kept: the per-invocation `boto3.resource(...)` (a client is made once, as any port
// would; the Python original pays that, and Python's CPU, on every invocation, so the port's Lambda
// duration flatters it).

import { CreateTableCommand, type DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EcsEvent } from '../../domain/eventTypes.js';
import { pythonJsonDumps } from './pythonJson.js';

export interface AwsGuideProjectorDeps {
  readonly doc: DynamoDBDocumentClient;
  /** The guide hard-codes ECSTaskState and ECSCtrInstanceState; the benchmark gives fresh tables. */
  readonly tables: { readonly taskState: string; readonly instanceState: string };
  readonly print?: (line: string) => void;
}

export function createAwsGuideProjector(deps: AwsGuideProjectorDeps): (event: EcsEvent) => Promise<void> {
  const print = deps.print ?? (() => {});
  return async (event) => {
    let idName = '';
    const newRecord: Record<string, unknown> = {};

    // For debugging so you can see raw event format.
    if (deps.print) {
      print('Here is the event:');
      print(pythonJsonDumps(event));
    }

    if (event.source !== 'aws.ecs') {
      throw new Error('Function only supports input from events with a source type of: aws.ecs');
    }

    // Switch on task/container events.
    let tableName = '';
    let eventId: unknown;
    if (event['detail-type'] === 'ECS Task State Change') {
      tableName = deps.tables.taskState;
      idName = 'taskArn';
      eventId = event.detail.taskArn;
    } else if (event['detail-type'] === 'ECS Container Instance State Change') {
      tableName = deps.tables.instanceState;
      idName = 'containerInstanceArn';
      eventId = event.detail.containerInstanceArn;
    } else {
      throw new Error('detail-type for event is not a supported type. Exiting without saving event.');
    }

    newRecord.cw_version = event.version;
    Object.assign(newRecord, event.detail);

    // "status" is a reserved word in DDB, but it appears in containerPort state change messages.
    // (Kept as written: it tests the top-level event, where `status` never appears, so it never runs.)
    if ('status' in event) {
      newRecord.current_status = (event as Record<string, unknown>).status;
      delete newRecord.status;
    }

    // Look first to see if you have received a newer version of an event ID. If the version is OLDER
    // than what you have on file, do not process it. Otherwise, update the associated record.
    print('Looking for recent event with same ID...');
    const savedEvent = await deps.doc.send(new GetCommand({ TableName: tableName, Key: { [idName]: eventId } }));
    if (savedEvent.Item) {
      // Compare events and reconcile.
      print(`EXISTING EVENT DETECTED: Id ${String(eventId)} - reconciling`);
      if ((savedEvent.Item.version as number) < (event.detail.version as number)) {
        print('Received event is a more recent version than the stored event - updating');
        await deps.doc.send(new PutCommand({ TableName: tableName, Item: newRecord }));
      } else {
        print('Received event is an older version than the stored event - ignoring');
      }
    } else {
      print(`Saving new event - ID ${String(eventId)}`);
      await deps.doc.send(new PutCommand({ TableName: tableName, Item: newRecord }));
    }
  };
}

/**
 * The guide's two tables as it describes them: a key (taskArn, containerInstanceArn) and nothing else, no
 * secondary index. (This project's tables also keep a byCluster index, which every write maintains.)
 */
export async function createGuideTables(
  client: DynamoDBClient,
  tables: { readonly taskState: string; readonly instanceState: string },
): Promise<void> {
  await Promise.all(
    [
      [tables.taskState, 'taskArn'],
      [tables.instanceState, 'containerInstanceArn'],
    ].map(async ([TableName, key]) => {
      await client.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        }),
      );
      await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName });
    }),
  );
}
