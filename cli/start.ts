// `npm start`: the whole pipeline on a laptop, no AWS account. Starts DynamoDB Local, creates the
// tables, delivers the AWS doc samples and a generated cluster at least once, shuffled and
// concurrently through the real ingest handler, projects them from the real stream with the real
// projector, and prints a report.
import { paginateScan, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EcsEvent } from '../domain/eventTypes.js';
import { addProjectorCounts, noProjectorCounts, type ProjectorCounts } from '../functions/projector.js';
import { startLocalStack } from '../local/localStack.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { atLeastOnce, seededRandom } from '../sim/random.js';
import { loadSamples } from '../sim/samples.js';
import { generateServiceWorkload } from '../sim/serviceWorkload.js';
import { inParallel } from '../usecases/inParallel.js';
import { formatTable } from './output.js';
import { progress } from './progress.js';

const SEED = 20261128;
const CONCURRENCY = 16;

/** A few refused deliveries, to show what happens to bad input. */
const BAD_EVENTS: unknown[] = [
  {
    source: 'aws.ecs',
    'detail-type': 'ECS Task State Change',
    detail: { taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/prod/x', version: '7' },
  },
  { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} },
  null,
];

async function main(): Promise<void> {
  const started = Date.now();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say('Starting DynamoDB Local (Java) and creating the tables…');
  const stack = await startLocalStack();
  try {
    const rng = seededRandom(SEED);
    const samples = [...loadSamples().values()] as EcsEvent[];
    const events = [
      ...samples,
      ...generateWorkload(rng, { tasks: 400, instances: 24, clusters: 3 }),
      ...generateServiceWorkload(rng, { clusters: 3 }),
    ];
    const deliveries: unknown[] = [...atLeastOnce(rng, events, 3), ...BAD_EVENTS];
    say(
      `DynamoDB Local on ${stack.dynamo.endpoint}; ${events.length} distinct events, ${deliveries.length} deliveries.`,
    );

    const projected = noProjectorCounts();
    const onBatch = ({ response }: { response?: unknown }) => {
      const counts = (response as { counts?: ProjectorCounts } | undefined)?.counts;
      if (counts) addProjectorCounts(projected, counts);
    };
    const poller = stack.poller({ onBatch });
    const polling = poller.run(50);

    const ingested = { appended: 0, duplicate: 0, conflict: 0, rejected: 0 };
    const rejections = new Map<string, number>();
    const bar = progress('delivering', deliveries.length);
    await inParallel(deliveries, CONCURRENCY, async (event) => {
      try {
        ingested[(await stack.ingest(event)).outcome]++;
      } catch (e) {
        const reason = (e as { reason?: string }).reason;
        if (!reason) throw e;
        ingested.rejected++;
        rejections.set(reason, (rejections.get(reason) ?? 0) + 1);
      }
      bar.tick();
    });
    bar.done();
    say('Projecting the rest of the stream…');
    poller.stop();
    await polling;
    // A stopped poller drains nothing: a fresh one continues from the shared checkpoints to the end.
    await stack.poller({ onBatch }).drain();

    const count = async (TableName: string) => {
      let total = 0;
      for await (const page of paginateScan({ client: stack.doc }, { TableName, Select: 'COUNT' }))
        total += page.Count ?? 0;
      return total;
    };
    const example = events.find(
      (e) => e['detail-type'] === 'ECS Task State Change' && e.detail.lastStatus === 'STOPPED',
    );
    const history = await stack.doc.send(
      new QueryCommand({
        TableName: stack.tables.eventLog,
        KeyConditionExpression: 'arn = :arn',
        ExpressionAttributeValues: { ':arn': example?.detail.taskArn },
      }),
    );

    const out = process.stdout;
    out.write('\nECS event store: local pipeline report\n\n');
    out.write(
      formatTable(
        ['measure', 'count'],
        [
          ['events delivered (with duplicates and bad ones)', deliveries.length],
          ['appended to the log', ingested.appended],
          ['duplicates (no-ops)', ingested.duplicate],
          ['conflicts (same version, other content)', ingested.conflict],
          [`rejected (${[...rejections].map(([r, n]) => `${r} ×${n}`).join(', ')})`, ingested.rejected],
          ['rows projected', projected.projected],
          ['stale or equal versions skipped', projected.staleSkipped],
          ['history-only (service, deployment, other ECS types)', projected.historyOnly],
          [`log items in ${stack.tables.eventLog}`, await count(stack.tables.eventLog)],
          [`rows in ${stack.tables.taskState}`, await count(stack.tables.taskState)],
          [`rows in ${stack.tables.instanceState}`, await count(stack.tables.instanceState)],
        ],
      ),
    );
    out.write(`\nHistory of ${example?.detail.taskArn}:\n`);
    out.write(
      formatTable(
        ['version', 'eventTime', 'lastStatus', 'desiredStatus', 'stopCode'],
        (history.Items ?? []).map((i) => [
          i.version,
          new Date(i.eventTime as number).toISOString(),
          i.lastStatus,
          i.desiredStatus,
          i.stopCode ?? '',
        ]),
      ),
    );
    out.write(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  } finally {
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`npm start failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
