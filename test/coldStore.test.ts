import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import cfn from '../deploy/cloudformation.cjs';
import coldStore from '../deploy/coldStore.cjs';
import columns from '../domain/archive/columns.cjs';
import { dedupViewSql } from '../domain/archive/views.js';
import { namedQueries } from '../infra/duckdb.js';

// The cold store's resources as deploy/ renders them (coldStore=on), checked as a template and by
// cfn-lint (when on the PATH, as CI has it).

const IDS = coldStore.COLD_STORE_IDS as Record<string, string> &
  Record<
    | 'dataBucket'
    | 'dataBucketPolicy'
    | 'resultsBucket'
    | 'table'
    | 'view'
    | 'workgroup'
    | 'deliveryStream'
    | 'archiverRole'
    | 'archiverLogGroup',
    string
  >;
const { COLD_STORE_CONDITION } = coldStore;
const DEPLOYER = 'arn:aws:iam::111122223333:role/ecs-event-store-dev-deployer';
type Json = any;
const render = (raw: Record<string, unknown>): Json =>
  (cfn as Json).renderedTemplate(
    (cfn as Json).deploySettings({
      stage: 'dev',
      stateTtlDays: 30,
      eventLogRetentionDays: 0,
      redactOverrideEnvironment: true,
      lambdaLogRetentionDays: 30,
      iteratorAgeAlarmSeconds: 300,
      logLevel: 'INFO',
      ...raw,
    }),
  );
const on = render({ coldStore: 'on', deploymentRoleArn: DEPLOYER, athenaQueryLimitGb: '5' });

describe('coldStore=on', () => {
  it('puts every cold-store resource but the archiver role under ColdStoreEnabled, true only when on', () => {
    const mine = Object.entries(on.Resources).filter(([id]) => id.startsWith('ColdStore') || id === IDS.archiverRole);
    expect(mine.length).toBeGreaterThan(10);
    for (const [id, r] of mine)
      expect((r as Json).Condition, id).toBe(id === IDS.archiverRole ? undefined : COLD_STORE_CONDITION);
    expect(on.Conditions[COLD_STORE_CONDITION]).toEqual({ 'Fn::Equals': ['on', 'on'] });
    expect(render({}).Conditions[COLD_STORE_CONDITION]).toEqual({ 'Fn::Equals': ['off', 'on'] });
  });

  it('converts to Parquet (SNAPPY) against the Glue table, by the row day, with a 64 MiB buffer, uncompressed destination', () => {
    const d = on.Resources[IDS.deliveryStream].Properties.ExtendedS3DestinationConfiguration;
    expect(d.DataFormatConversionConfiguration.Enabled).toBe(true);
    expect(d.DataFormatConversionConfiguration.OutputFormatConfiguration.Serializer.ParquetSerDe.Compression).toBe(
      'SNAPPY',
    );
    expect(
      d.DataFormatConversionConfiguration.InputFormatConfiguration.Deserializer.HiveJsonSerDe.TimestampFormats,
    ).toEqual(['millis']);
    expect(d.DataFormatConversionConfiguration.SchemaConfiguration.TableName).toBe('ecs_events_raw');
    expect(d.BufferingHints.SizeInMBs).toBeGreaterThanOrEqual(64);
    expect(d.CompressionFormat).toBe('UNCOMPRESSED');
    expect(d.Prefix).toBe('data/day=!{partitionKeyFromQuery:day}/');
    expect(d.DynamicPartitioningConfiguration.Enabled).toBe(true);
  });

  it('declares the Glue table from the column list, partition projection on day, no crawler', () => {
    const t = on.Resources[IDS.table].Properties.TableInput;
    expect(t.StorageDescriptor.Columns.map((c: Json) => [c.Name, c.Type])).toEqual(
      columns.ARCHIVE_COLUMNS.map((c) => [c.name, columns.glueType(c.type)]),
    );
    expect(t.PartitionKeys).toEqual([{ Name: 'day', Type: 'string' }]);
    expect(t.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.day.type': 'date',
      'projection.day.format': 'yyyy-MM-dd',
    });
    expect(Object.values(on.Resources).some((r) => (r as Json).Type === 'AWS::Glue::Crawler')).toBe(false);
  });

  it('stores the dedup view as Athena does (a Presto view of the same SQL DuckDB runs)', () => {
    const v = on.Resources[IDS.view].Properties.TableInput;
    expect(v.TableType).toBe('VIRTUAL_VIEW');
    const encoded = /^\/\* Presto View: (.+) \*\/$/.exec(v.ViewOriginalText)?.[1] as string;
    const definition = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    expect(definition.originalSql).toBe(dedupViewSql());
    expect(definition.columns).toHaveLength(columns.ARCHIVE_COLUMNS.length + 1);
  });

  it('limits the bytes a query scans in an enforced workgroup with its own encrypted results bucket', () => {
    const w = on.Resources[IDS.workgroup].Properties.WorkGroupConfiguration;
    expect(w.BytesScannedCutoffPerQuery).toBe(5 * 1024 ** 3);
    expect(w.EnforceWorkGroupConfiguration).toBe(true);
    expect(w.ResultConfiguration.EncryptionConfiguration.EncryptionOption).toBe('SSE_S3');
    expect(on.Resources[IDS.resultsBucket].Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBeGreaterThan(
      0,
    );
  });

  it('makes every bucket encrypted, private, versioned, retained and TLS-only; the data bucket append-only but for the deployer', () => {
    for (const id of [IDS.dataBucket, IDS.resultsBucket]) {
      const b = on.Resources[id];
      expect(b.DeletionPolicy, id).toBe('Retain');
      expect(b.UpdateReplacePolicy, id).toBe('Retain');
      expect(b.Properties.VersioningConfiguration.Status).toBe('Enabled');
      expect(Object.values(b.Properties.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
      expect(
        b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
      ).toBe('AES256');
    }
    const [tls, protect] = on.Resources[IDS.dataBucketPolicy].Properties.PolicyDocument.Statement;
    expect(tls.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    expect(protect.Action).toEqual(
      expect.arrayContaining(['s3:DeleteObject', 's3:PutBucketPolicy', 's3:PutLifecycleConfiguration']),
    );
    expect(protect.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': DEPLOYER } });
  });

  it('grants the archiver only its stream, PutRecordBatch on its delivery stream and its logs', () => {
    const statements = on.Resources[IDS.archiverRole].Properties.Policies[0].PolicyDocument.Statement;
    expect(statements.flatMap((s: Json) => [s.Action].flat()).sort()).toEqual(
      [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'firehose:PutRecordBatch',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ].sort(),
    );
  });

  it('ships every named query of sql/ as an Athena NamedQuery', () => {
    const named = Object.values(on.Resources)
      .filter((r) => (r as Json).Type === 'AWS::Athena::NamedQuery')
      .map((r) => [(r as Json).Properties.Name, (r as Json).Properties.QueryString]);
    expect(named).toEqual(namedQueries().map((q) => [q.name, q.sql]));
  });

  it('refuses a coldStore that is neither on nor off', () => {
    expect(() => render({ coldStore: 'yes' })).toThrow('parameter coldStore must be on or off, got "yes"');
  });

  const lint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  it.skipIf(lint.status !== 0)('is cfn-lint clean (the cold-store resources in a template of their own)', () => {
    const resources: Json = Object.fromEntries(
      Object.entries(on.Resources).filter(([id]) => id.startsWith('ColdStore') || id === IDS.archiverRole),
    );
    // What they point at outside themselves: the log's stream and the archiver's log group.
    resources.EventLogTable = {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'arn', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'arn', KeyType: 'HASH' }],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      },
    };
    resources[IDS.archiverLogGroup] = { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } };
    const file = join(mkdtempSync(join(tmpdir(), 'cold-lint-')), 'template.json');
    writeFileSync(
      file,
      JSON.stringify({
        AWSTemplateFormatVersion: '2010-09-09',
        Conditions: { [COLD_STORE_CONDITION]: on.Conditions[COLD_STORE_CONDITION] },
        Resources: resources,
      }),
    );
    const run = spawnSync('cfn-lint', ['--format', 'json', file], { encoding: 'utf8' });
    const errors = (JSON.parse(run.stdout || '[]') as Json[]).filter((f) => f.Level === 'Error');
    expect(errors, JSON.stringify(errors, null, 2)).toEqual([]);
  });
});
