// The cold store (issue 24, docs/sql.md "The cloud path"): every log item as a Parquet row on S3,
// queried by Athena. The archiver function (serverless.yml, functions/archiver.ts) reads the log's
// stream (its second and last reader) and sends each INSERT's row to Firehose, which converts JSON
// to Parquet against the Glue table and writes hive `day=` partitions (the UTC day of the event
// time, by dynamic partitioning on the row's `day`). Glue table with partition projection on `day`
// (no crawler), the dedup view, an Athena workgroup with a bytes-scanned limit per query and its own
// results bucket, one NamedQuery per file of sql/. Everything but the archiver's role is under the
// condition ColdStoreEnabled (parameter coldStore); the function stays deployed, its stream mapping
// disabled, as the reconciler's schedule is with reconcileSchedule=off.
'use strict';

const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const {
  ARCHIVE_COLUMNS,
  PARTITION_COLUMN,
  dedupViewSql,
  glueType,
  trinoType,
} = require('../domain/archive/columns.cjs');
const { allow, getAtt, ref, stackArn } = require('./intrinsics.cjs');
const { LOGICAL_IDS } = require('./logicalIds.cjs');

const CONDITION = 'ColdStoreEnabled';

const IDS = Object.freeze({
  dataBucket: 'ColdStoreDataBucket',
  dataBucketPolicy: 'ColdStoreDataBucketPolicy',
  resultsBucket: 'ColdStoreResultsBucket',
  resultsBucketPolicy: 'ColdStoreResultsBucketPolicy',
  database: 'ColdStoreDatabase',
  table: 'ColdStoreTable',
  view: 'ColdStoreView',
  workgroup: 'ColdStoreWorkGroup',
  deliveryStream: 'ColdStoreDeliveryStream',
  deliveryRole: 'ColdStoreDeliveryRole',
  deliveryLogGroup: 'ColdStoreDeliveryLogGroup',
  archiverRole: 'ArchiverRole',
  archiverFunction: 'ArchiverLambdaFunction',
  archiverLogGroup: 'ArchiverLogGroup',
});

/** Firehose's buffer: 64 MiB (the minimum with record-format conversion) or 15 minutes. */
const BUFFER = Object.freeze({ SizeInMBs: 64, IntervalInSeconds: 900 });
/** Where the rows go in the data bucket: `data/day=YYYY-MM-DD/` (export --s3 writes the same). */
const DATA_PREFIX = 'data/';
const RAW_TABLE = 'ecs_events_raw';
const VIEW = 'ecs_events';
/** sql/ of the repository: beside deploy/ (a bundle of the CLI has no __dirname: then the working directory's). */
const queriesDir = () => join(typeof __dirname === 'string' ? join(__dirname, '..') : process.cwd(), 'sql');

const text = (value) => String(value ?? '').trim();

/** `coldStore`: on or off (default off: docs/sql.md says why); `athenaQueryLimitGb`: bytes scanned per query. */
function coldStoreSettings(raw, names) {
  const word = text(raw.coldStore ?? 'off').toLowerCase();
  if (word !== 'on' && word !== 'off') {
    const error = new Error(`parameter coldStore must be on or off, got "${raw.coldStore}"`);
    error.stack = error.message;
    throw error;
  }
  const limit = Number(text(raw.athenaQueryLimitGb ?? '10'));
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100_000) {
    const error = new Error(
      `parameter athenaQueryLimitGb must be an integer from 1 to 100000, got "${raw.athenaQueryLimitGb}"`,
    );
    error.stack = error.message;
    throw error;
  }
  const glueName = `${names.prefix}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return {
    coldStore: {
      enabled: word === 'on',
      // Athena's BytesScannedCutoffPerQuery (at least 10 MB, Athena's own minimum).
      bytesScannedCutoffPerQuery: limit * 1024 ** 3,
      database: glueName,
      table: RAW_TABLE,
      view: VIEW,
      workgroup: names.prefix,
      deliveryStream: `${names.prefix}-history`,
      archiverFunction: `${names.prefix}-archiver`,
      archiverRole: `${names.prefix}-archiver`,
      deliveryRole: `${names.prefix}-history-delivery`,
      dataPrefix: DATA_PREFIX,
    },
  };
}

const bucketArn = (id, suffix = '') => (suffix === '' ? getAtt(id) : { 'Fn::Join': ['', [getAtt(id), suffix]] });

/** A private, encrypted, versioned bucket, kept when the stack goes (Retain). */
function bucket(extra = {}) {
  return {
    Type: 'AWS::S3::Bucket',
    Condition: CONDITION,
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      ...extra,
    },
  };
}

const tlsOnly = (id) => ({
  Sid: 'TlsOnly',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [bucketArn(id), bucketArn(id, '/*')],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

/** What no one but the deployer may do to the data bucket: it is the log's history, protected like the log. */
const PROTECTED_ACTIONS = Object.freeze([
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutLifecycleConfiguration',
  's3:PutBucketVersioning',
  's3:PutBucketObjectLockConfiguration',
  's3:DeleteBucket',
]);

function dataBucketPolicy(settings) {
  const deployer = settings.deploymentRoleArn;
  const protect = {
    Sid: 'HistoryIsAppendOnly',
    Effect: 'Deny',
    Principal: '*',
    Action: [...PROTECTED_ACTIONS],
    Resource: [bucketArn(IDS.dataBucket), bucketArn(IDS.dataBucket, '/*')],
    // Without a deployment role (a tripwire stack, docs/deploy.md) nothing is excepted: object
    // deletions are refused to everyone, and the bucket's policy can still be changed by an administrator.
    ...(deployer !== '' && { Condition: { ArnNotEquals: { 'aws:PrincipalArn': deployer } } }),
  };
  if (deployer === '') protect.Action = ['s3:DeleteObject', 's3:DeleteObjectVersion'];
  return {
    Type: 'AWS::S3::BucketPolicy',
    Condition: CONDITION,
    Properties: {
      Bucket: ref(IDS.dataBucket),
      PolicyDocument: { Version: '2012-10-17', Statement: [tlsOnly(IDS.dataBucket), protect] },
    },
  };
}

const glueArn = (resource) => stackArn('glue', resource);

/** The Glue table of the Parquet files: the columns of domain/archive/columns.cjs, projection on day. */
function tableInput() {
  const location = { 'Fn::Join': ['', ['s3://', ref(IDS.dataBucket), `/${DATA_PREFIX}`]] };
  return {
    Name: RAW_TABLE,
    TableType: 'EXTERNAL_TABLE',
    Description: 'Every ECS event store log item, one row each (docs/sql.md); read it through the view ecs_events',
    Parameters: {
      classification: 'parquet',
      'parquet.compression': 'SNAPPY',
      'projection.enabled': 'true',
      'projection.day.type': 'date',
      'projection.day.format': 'yyyy-MM-dd',
      'projection.day.range': '2014-11-13,NOW',
      'projection.day.interval': '1',
      'projection.day.interval.unit': 'DAYS',
      // `$` and `{day}` apart: Serverless would read `${day}` as a variable of its own.
      'storage.location.template': {
        'Fn::Join': ['', ['s3://', ref(IDS.dataBucket), `/${DATA_PREFIX}day=$`, '{day}/']],
      },
    },
    PartitionKeys: [{ Name: PARTITION_COLUMN, Type: 'string' }],
    StorageDescriptor: {
      Location: location,
      Columns: ARCHIVE_COLUMNS.map((c) => ({ Name: c.name, Type: glueType(c.type), Comment: c.about.slice(0, 255) })),
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    },
  };
}

/**
 * The dedup view as Athena stores a view in Glue: a VIRTUAL_VIEW whose original text is the
 * base64 of the Presto view definition (SQL, catalog, schema, columns in Trino types).
 */
function viewInput(cs, viewSql) {
  const columns = [
    ...ARCHIVE_COLUMNS.map((c) => ({ name: c.name, type: trinoType(c.type) })),
    { name: PARTITION_COLUMN, type: 'varchar' },
  ];
  const definition = {
    originalSql: viewSql,
    catalog: 'awsdatacatalog',
    schema: cs.database,
    columns,
    runAsInvoker: false,
  };
  return {
    Name: VIEW,
    TableType: 'VIRTUAL_VIEW',
    Description: 'One row per (arn, version) of ecs_events_raw: Firehose delivers at least once (docs/sql.md)',
    Parameters: { presto_view: 'true', comment: 'Presto View' },
    ViewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(definition)).toString('base64')} */`,
    ViewExpandedText: '/* Presto View */',
    StorageDescriptor: {
      Columns: [
        ...ARCHIVE_COLUMNS.map((c) => ({ Name: c.name, Type: glueType(c.type) })),
        { Name: PARTITION_COLUMN, Type: 'string' },
      ],
      SerdeInfo: {},
    },
  };
}

/** The named queries of sql/, by file name. */
const namedQueryFiles = () =>
  readdirSync(queriesDir())
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({ name: f.slice(0, -4), sql: readFileSync(join(queriesDir(), f), 'utf8') }));

const pascal = (name) => name.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase());

function coldStoreResources(settings) {
  const cs = settings.coldStore;
  const deliveryStreamArn = stackArn('firehose', `deliverystream/${cs.deliveryStream}`);
  const resources = {
    [IDS.dataBucket]: bucket(),
    [IDS.dataBucketPolicy]: dataBucketPolicy(settings),
    [IDS.resultsBucket]: bucket({
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'QueryResultsExpire',
            Status: 'Enabled',
            ExpirationInDays: 30,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    }),
    [IDS.resultsBucketPolicy]: {
      Type: 'AWS::S3::BucketPolicy',
      Condition: CONDITION,
      Properties: {
        Bucket: ref(IDS.resultsBucket),
        PolicyDocument: { Version: '2012-10-17', Statement: [tlsOnly(IDS.resultsBucket)] },
      },
    },
    [IDS.database]: {
      Type: 'AWS::Glue::Database',
      Condition: CONDITION,
      Properties: {
        CatalogId: ref('AWS::AccountId'),
        DatabaseInput: { Name: cs.database, Description: 'ECS event store: all history (docs/sql.md)' },
      },
    },
    [IDS.table]: {
      Type: 'AWS::Glue::Table',
      Condition: CONDITION,
      Properties: { CatalogId: ref('AWS::AccountId'), DatabaseName: ref(IDS.database), TableInput: tableInput() },
    },
    [IDS.view]: {
      Type: 'AWS::Glue::Table',
      Condition: CONDITION,
      DependsOn: [IDS.table],
      Properties: {
        CatalogId: ref('AWS::AccountId'),
        DatabaseName: ref(IDS.database),
        TableInput: viewInput(cs, dedupViewSql()),
      },
    },
    [IDS.workgroup]: {
      Type: 'AWS::Athena::WorkGroup',
      Condition: CONDITION,
      Properties: {
        Name: cs.workgroup,
        Description: 'ECS event store: SQL over all history (ecs-events sql --athena)',
        RecursiveDeleteOption: true,
        WorkGroupConfiguration: {
          BytesScannedCutoffPerQuery: cs.bytesScannedCutoffPerQuery,
          EnforceWorkGroupConfiguration: true,
          PublishCloudWatchMetricsEnabled: true,
          EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
          ResultConfiguration: {
            OutputLocation: { 'Fn::Join': ['', ['s3://', ref(IDS.resultsBucket), '/results/']] },
            EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          },
        },
      },
    },
    [IDS.deliveryLogGroup]: {
      Type: 'AWS::Logs::LogGroup',
      Condition: CONDITION,
      Properties: {
        LogGroupName: `/aws/kinesisfirehose/${cs.deliveryStream}`,
        RetentionInDays: settings.lambdaLogRetentionDays,
      },
    },
    [IDS.deliveryRole]: {
      Type: 'AWS::IAM::Role',
      Condition: CONDITION,
      Properties: {
        RoleName: cs.deliveryRole,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'firehose.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': ref('AWS::AccountId') } },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'deliver-history',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                allow(
                  'WriteHistoryObjects',
                  ['s3:PutObject', 's3:AbortMultipartUpload'],
                  [bucketArn(IDS.dataBucket, `/${DATA_PREFIX}*`), bucketArn(IDS.dataBucket, '/errors/*')],
                ),
                allow(
                  'ListHistoryBucket',
                  ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
                  bucketArn(IDS.dataBucket),
                ),
                allow(
                  'ReadTableSchema',
                  ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
                  [
                    glueArn('catalog'),
                    glueArn(`database/${cs.database}`),
                    glueArn(`table/${cs.database}/${RAW_TABLE}`),
                  ],
                ),
                allow('WriteDeliveryErrors', ['logs:PutLogEvents'], getAtt(IDS.deliveryLogGroup)),
              ],
            },
          },
        ],
      },
    },
    [IDS.deliveryStream]: {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Condition: CONDITION,
      DependsOn: [IDS.table],
      Properties: {
        DeliveryStreamName: cs.deliveryStream,
        DeliveryStreamType: 'DirectPut',
        DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
        ExtendedS3DestinationConfiguration: {
          BucketARN: getAtt(IDS.dataBucket),
          RoleARN: getAtt(IDS.deliveryRole),
          // The row's own `day` (the UTC day of its event time), never the arrival time.
          Prefix: `${DATA_PREFIX}day=!{partitionKeyFromQuery:day}/`,
          ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/',
          BufferingHints: { ...BUFFER },
          // The Parquet files are compressed inside (SNAPPY); the destination itself is not.
          CompressionFormat: 'UNCOMPRESSED',
          FileExtension: '.parquet',
          CloudWatchLoggingOptions: {
            Enabled: true,
            LogGroupName: ref(IDS.deliveryLogGroup),
            LogStreamName: 'delivery',
          },
          DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: { DurationInSeconds: 300 } },
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: 'MetadataExtraction',
                Parameters: [
                  { ParameterName: 'MetadataExtractionQuery', ParameterValue: '{day: .day}' },
                  { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
                ],
              },
            ],
          },
          DataFormatConversionConfiguration: {
            Enabled: true,
            // The rows' timestamps are epoch milliseconds (domain/archive/row.ts).
            InputFormatConfiguration: { Deserializer: { HiveJsonSerDe: { TimestampFormats: ['millis'] } } },
            OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
            SchemaConfiguration: {
              CatalogId: ref('AWS::AccountId'),
              DatabaseName: ref(IDS.database),
              TableName: RAW_TABLE,
              Region: ref('AWS::Region'),
              RoleARN: getAtt(IDS.deliveryRole),
              VersionId: 'LATEST',
            },
          },
        },
      },
    },
    // The archiver's role exists whatever coldStore says: the function is always deployed.
    [IDS.archiverRole]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: cs.archiverRole,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [
          {
            PolicyName: 'archiver',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                allow(
                  'ReadEventLogStream',
                  ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
                  getAtt(LOGICAL_IDS.tables.eventLog, 'StreamArn'),
                ),
                // ListStreams supports no resource-level permission: AWS requires "*". It lists stream ARNs only.
                allow('ListStreamsRequiresStar', 'dynamodb:ListStreams', '*'),
                allow('SendRows', 'firehose:PutRecordBatch', deliveryStreamArn),
                allow('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(IDS.archiverLogGroup)),
              ],
            },
          },
        ],
      },
    },
  };
  for (const q of namedQueryFiles()) {
    resources[`ColdStoreQuery${pascal(q.name)}`] = {
      Type: 'AWS::Athena::NamedQuery',
      Condition: CONDITION,
      Properties: {
        Name: q.name,
        Description: `ecs-events named query ${q.name} (sql/${q.name}.sql)`,
        Database: ref(IDS.database),
        WorkGroup: ref(IDS.workgroup),
        QueryString: q.sql,
      },
    };
  }
  return resources;
}

/** The condition every cold-store resource is under. */
const coldStoreConditions = (settings) => ({
  [CONDITION]: { 'Fn::Equals': [settings.coldStore.enabled ? 'on' : 'off', 'on'] },
});

module.exports = {
  COLD_STORE_IDS: IDS,
  COLD_STORE_CONDITION: CONDITION,
  FIREHOSE_BUFFER: BUFFER,
  coldStoreSettings,
  coldStoreResources,
  coldStoreConditions,
};
