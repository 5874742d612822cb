import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cfn from '../deploy/cloudformation.cjs';
import coldStore from '../deploy/coldStore.cjs';
import { archiveRowOf } from '../domain/archive/row.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { ArchiveDb } from '../infra/duckdb.js';
import { firehoseSink } from '../infra/firehose.js';
import type { Pipeline } from '../local/localStack.js';
import { generateTour } from '../sim/tour.js';
import { inParallel } from '../usecases/inParallel.js';
import { type MotoServer, motoServerOrSkip, startMotoServer } from './support/motoServer.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { runCli } from './support/runCli.js';

// moto's CloudFormation skips Firehose, Glue and Athena, so the cold store's bucket, Glue database
// and table, and delivery stream are created here through their own APIs, from the properties
// deploy/coldStore.cjs renders; then `export --s3` backfills that bucket and the files read back.

const moto = motoServerOrSkip('cold store on moto: S3, Glue and Firehose from the rendered properties');
type Json = any;
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const BUCKET = 'ecs-history-moto';
const IDS = coldStore.COLD_STORE_IDS as Record<string, string> &
  Record<
    'dataBucket' | 'dataBucketPolicy' | 'database' | 'table' | 'deliveryStream' | 'deliveryRole' | 'deliveryLogGroup',
    string
  >;

const settings: Json = (cfn as Json).deploySettings({
  stage: 'moto',
  stateTtlDays: 30,
  eventLogRetentionDays: 0,
  redactOverrideEnvironment: true,
  lambdaLogRetentionDays: 30,
  iteratorAgeAlarmSeconds: 300,
  logLevel: 'INFO',
  coldStore: 'on',
});
const template: Json = (cfn as Json).renderedTemplate(settings);

/** The intrinsics of the rendered properties, resolved as CloudFormation would in this account. */
function resolve(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  if ('Ref' in value) {
    const refs: Record<string, string> = {
      'AWS::AccountId': ACCOUNT,
      'AWS::Region': REGION,
      'AWS::Partition': 'aws',
      [IDS.dataBucket]: BUCKET,
      [IDS.database]: settings.coldStore.database,
      [IDS.deliveryLogGroup]: `/aws/kinesisfirehose/${settings.coldStore.deliveryStream}`,
    };
    return refs[value.Ref] ?? `unresolved-${value.Ref}`;
  }
  if ('Fn::GetAtt' in value) {
    const [id] = value['Fn::GetAtt'];
    if (id === IDS.dataBucket) return `arn:aws:s3:::${BUCKET}`;
    if (id === IDS.deliveryRole) return `arn:aws:iam::${ACCOUNT}:role/${settings.coldStore.deliveryRole}`;
    return `arn:aws:unresolved:::${id}`;
  }
  if ('Fn::Join' in value) {
    const [sep, parts] = value['Fn::Join'];
    return (resolve(parts) as string[]).join(sep);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
}
const props = (id: string) => resolve(template.Resources[id].Properties);

let server: MotoServer;
let s3: S3Client;
let pipeline: Pipeline;
beforeAll(async () => {
  if (moto.skip) return;
  server = await startMotoServer();
  const client = { endpoint: server.endpoint, region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  s3 = new S3Client({ ...client, forcePathStyle: true });
  const glue = new GlueClient(client);
  const firehose = new FirehoseClient(client);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await glue.send(new CreateDatabaseCommand(props(IDS.database)));
  await glue.send(
    new CreateTableCommand({ DatabaseName: settings.coldStore.database, TableInput: props(IDS.table).TableInput }),
  );
  const stream = props(IDS.deliveryStream);
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: stream.DeliveryStreamName,
      DeliveryStreamType: stream.DeliveryStreamType,
      ExtendedS3DestinationConfiguration: stream.ExtendedS3DestinationConfiguration,
    }),
  );
  pipeline = await testPipeline(import.meta.filename);
  await inParallel(generateTour(Date.now()), 8, (e) => pipeline.ingest(e as EcsEvent));
}, 120_000);
afterAll(async () => {
  pipeline?.client.destroy();
  await server?.stop();
});

describe.skipIf(moto.skip)('the cold store on moto', () => {
  it('creates the Glue table with partition projection on day and the delivery stream converting to Parquet', async () => {
    const client = {
      endpoint: server.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    };
    const table = await new GlueClient(client).send(
      new GetTableCommand({ DatabaseName: settings.coldStore.database, Name: 'ecs_events_raw' }),
    );
    expect(table.Table?.PartitionKeys).toEqual([{ Name: 'day', Type: 'string' }]);
    expect(table.Table?.Parameters?.['projection.day.type']).toBe('date');
    expect(table.Table?.Parameters?.['storage.location.template']).toBe(`s3://${BUCKET}/data/day=\${day}/`);
    const described = await new FirehoseClient(client).send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: settings.coldStore.deliveryStream }),
    );
    const destination = described.DeliveryStreamDescription?.Destinations?.[0]?.ExtendedS3DestinationDescription;
    expect(destination?.BucketARN).toBe(`arn:aws:s3:::${BUCKET}`);
    expect(destination?.DataFormatConversionConfiguration?.Enabled).toBe(true);
    expect(destination?.BufferingHints?.SizeInMBs).toBe(64);
  });

  it('export --s3 backfills the bucket in the same layout, and the files read back as the log', async () => {
    const staging = mkdtempSync(join(tmpdir(), 'ecs-s3-staging-'));
    const r = await runCli(['export', '--out', staging, '--s3', `s3://${BUCKET}/data/`], pipeline.tables, {
      AWS_ENDPOINT_URL_S3: server.endpoint,
    });
    expect(r.code, r.stderr).toBe(0);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'data/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key as string);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k).toMatch(/^data\/day=\d{4}-\d\d-\d\d\/export-[0-9TZ]+-\d+\.parquet$/);
    const back = mkdtempSync(join(tmpdir(), 'ecs-s3-back-'));
    for (const key of keys) {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const path = join(back, key.slice('data/'.length));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(
        path,
        await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
    }
    const items = (await scanAll(pipeline.doc, pipeline.tables.eventLog)).filter((i) => archiveRowOf(i).type === 'row');
    const db = await ArchiveDb.open(back);
    try {
      const [count] = (await db.query('SELECT count(*) AS n FROM ecs_events')).rows;
      expect(count).toEqual({ n: items.length });
    } finally {
      db.close();
    }
  });

  it('the archiver’s Firehose sink reports every row of a call Firehose refused, for Lambda to retry', async () => {
    const client = new FirehoseClient({
      endpoint: server.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const rows = (await scanAll(pipeline.doc, pipeline.tables.eventLog)).slice(0, 3).flatMap((i) => {
      const o = archiveRowOf(i);
      return o.type === 'row' ? [o.row] : [];
    });
    expect(await firehoseSink(client, settings.coldStore.deliveryStream).put(rows)).toEqual([]);
    expect(await firehoseSink(client, 'no-such-stream').put(rows)).toEqual([0, 1, 2]);
  });

  it('the data bucket’s rendered policy refuses plain HTTP (TLS only), as moto enforces it', async () => {
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify(props(IDS.dataBucketPolicy).PolicyDocument),
      }),
    );
    try {
      const refused = await s3
        .send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data/day=2026-01-01/x.parquet', Body: 'x' }))
        .then(
          () => undefined,
          (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
        );
      expect(refused).toBe(403);
    } finally {
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    }
  });
});
