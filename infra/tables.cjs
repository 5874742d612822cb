// The one table-definition model. The local stack renders it as CreateTable input
// (infra/tableAdmin.ts) and serverless.yml renders it as CloudFormation through ${file()}.
// CommonJS on purpose: Serverless' ${file()} cannot load TypeScript or ESM.
'use strict';

const { SUMMARY_FIELDS } = require('../domain/summaryFields.cjs');

/** Attribute that DynamoDB TTL reads on the latest-state tables (epoch seconds). */
const TTL_ATTRIBUTE = 'expiresAt';

const tables = {
  eventLog: {
    envVar: 'EVENT_LOG_TABLE',
    defaultName: 'ECSEventLog',
    partitionKey: 'arn',
    sortKey: 'version',
    attributes: { arn: 'S', version: 'N', timelineKey: 'S', eventTime: 'N', callKey: 'S' },
    // Old images too: a MODIFY or a REMOVE of a log item is tampering, and the projector keeps what
    // the item held before (functions/projector.ts, domain/tamper.ts).
    stream: 'NEW_AND_OLD_IMAGES',
    indexes: [
      {
        // Cluster timeline: cluster#hour#shard spreads one busy cluster over several partitions (domain/timeline.ts).
        name: 'byClusterTime',
        partitionKey: 'timelineKey',
        sortKey: 'eventTime',
        // What `timeline` and `stopped` print. `clusterArn` is held by items written before issue 15
        // only (readers take the cluster from the key they query); it stays listed, since changing a
        // projection means a new index and a backfill of the whole log, one write unit per event.
        projection: {
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: ['detailType', 'clusterArn', 'eventId', ...Object.keys(SUMMARY_FIELDS)],
        },
      },
      {
        // ECS API calls (domain/apiCalls/callIndex.ts): cluster#day, only items that hold a callKey. What
        // `who` prints, and what `stopped` and `deployments` join on, without fetching an item.
        name: 'byClusterCalls',
        partitionKey: 'callKey',
        sortKey: 'eventTime',
        projection: {
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: ['eventId', 'eventName', 'principal', 'principalArn', 'errorCode', 'deploymentId'],
        },
      },
    ],
  },
  taskState: {
    envVar: 'TASK_STATE_TABLE',
    defaultName: 'ECSTaskState',
    partitionKey: 'taskArn',
    attributes: { taskArn: 'S', clusterArn: 'S', phase: 'S' },
    ttlAttribute: TTL_ATTRIBUTE,
    indexes: [
      {
        // What is in a cluster now: Query clusterArn = :c [AND phase = :p], then BatchGetItem of the rows
        // (infra/stateQueries.ts). Keys only, and sorted on the phase (`live`, `ended`: domain/projection.ts),
        // which changes once in a row's life: an index entry is written when a row is created and when
        // it ends, never a copy of the whole row on every put (projection ALL doubled each write), nor
        // two index writes on every status change (the sort key was lastStatus).
        name: 'byClusterPhase',
        partitionKey: 'clusterArn',
        sortKey: 'phase',
        projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    // Indexes of earlier versions of this model, deleted by the in-place migration (docs/operations.md).
    retiredIndexes: ['byCluster', 'byClusterKeys'],
  },
  instanceState: {
    envVar: 'INSTANCE_STATE_TABLE',
    defaultName: 'ECSCtrInstanceState',
    partitionKey: 'containerInstanceArn',
    attributes: { containerInstanceArn: 'S', clusterArn: 'S', phase: 'S' },
    ttlAttribute: TTL_ATTRIBUTE,
    indexes: [
      {
        name: 'byClusterPhase',
        partitionKey: 'clusterArn',
        sortKey: 'phase',
        projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    retiredIndexes: ['byCluster', 'byClusterKeys'],
  },
};

function keySchema(partitionKey, sortKey) {
  const schema = [{ AttributeName: partitionKey, KeyType: 'HASH' }];
  if (sortKey) schema.push({ AttributeName: sortKey, KeyType: 'RANGE' });
  return schema;
}

function attributeDefinitions(def) {
  return Object.entries(def.attributes).map(([AttributeName, AttributeType]) => ({
    AttributeName,
    AttributeType,
  }));
}

function globalSecondaryIndexes(def) {
  return def.indexes.map((index) => ({
    IndexName: index.name,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: index.projection,
  }));
}

/** Properties shared by the CreateTable input and the CloudFormation AWS::DynamoDB::Table resource. */
function tableProperties(kind, tableName) {
  const def = tables[kind];
  if (!def) throw new Error(`unknown table kind "${kind}"`);
  const props = {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    AttributeDefinitions: attributeDefinitions(def),
    GlobalSecondaryIndexes: globalSecondaryIndexes(def),
  };
  if (def.stream) props.StreamSpecification = { StreamViewType: def.stream };
  return props;
}

/** CreateTable input for DynamoDB Local or the SDK. */
function createTableInput(kind, tableName) {
  const props = tableProperties(kind, tableName);
  if (props.StreamSpecification) props.StreamSpecification = { StreamEnabled: true, ...props.StreamSpecification };
  return props;
}

module.exports = { tables, TTL_ATTRIBUTE, keySchema, tableProperties, createTableInput };
