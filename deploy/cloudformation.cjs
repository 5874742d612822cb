// Renders the deploy settings and the three tables of the single table model (infra/tables.cjs) for
// serverless.yml, through `${file(deploy/cloudformation.cjs):...}`. CommonJS because ${file()} cannot
// load TypeScript or ESM. The pure functions are exported for the tests; the async ones are what
// Serverless calls, with its own `resolveVariable`.
'use strict';

const model = require('../infra/tables.cjs');

/** Logical ids of the tables in the CloudFormation template. */
const TABLE_LOGICAL_IDS = {
  eventLog: 'EventLogTable',
  taskState: 'TaskStateTable',
  instanceState: 'InstanceStateTable',
};

/** Retention periods CloudWatch Logs accepts (days). */
const LOG_GROUP_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * A configuration error, said in one line: Serverless prints an error's stack, which here is noise.
 */
function settingError(message) {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** 100 years: the longest period any day-count parameter sensibly takes. */
const MAX_DAYS = 36_500;

function integerSetting(name, value, { min = 0, max = MAX_DAYS } = {}) {
  const text = String(value ?? '').trim();
  const n = Number(text);
  if (text === '' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw settingError(`parameter ${name} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function booleanSetting(name, value) {
  const text = String(value ?? '')
    .trim()
    .toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw settingError(`parameter ${name} must be true or false, got "${value}"`);
}

/**
 * Table names of one deployment: the model's default name, `-<stage>`, and for the two latest-state
 * tables the blue/green suffix (so a rebuild into fresh tables is switched to by a redeploy).
 */
function tableNames(stage, stateTableSuffix = '') {
  if (!/^[A-Za-z0-9_.-]*$/.test(stateTableSuffix) || stateTableSuffix.length > 32) {
    throw settingError(
      `parameter stateTableSuffix may hold only letters, digits, "_", "-" and "." (at most 32), got "${stateTableSuffix}"`,
    );
  }
  const base = (kind) => `${model.tables[kind].defaultName}-${stage}`;
  return {
    eventLog: base('eventLog'),
    taskState: `${base('taskState')}${stateTableSuffix}`,
    instanceState: `${base('instanceState')}${stateTableSuffix}`,
  };
}

/**
 * Validated deploy settings from the raw parameter values (strings from `--param`, or the
 * `params:` defaults of serverless.yml). Every error names the parameter and the rule.
 */
function deploySettings(raw) {
  const stage = String(raw.stage ?? '');
  if (!/^[A-Za-z0-9-]{1,16}$/.test(stage)) {
    throw settingError(`stage must be 1 to 16 letters, digits or "-", got "${stage}"`);
  }
  const lambdaLogRetentionDays = integerSetting('lambdaLogRetentionDays', raw.lambdaLogRetentionDays, {
    min: 1,
    max: Math.max(...LOG_GROUP_RETENTION_DAYS),
  });
  if (!LOG_GROUP_RETENTION_DAYS.includes(lambdaLogRetentionDays)) {
    throw settingError(
      `parameter lambdaLogRetentionDays must be one of ${LOG_GROUP_RETENTION_DAYS.join(', ')}, got "${raw.lambdaLogRetentionDays}"`,
    );
  }
  const alarmTopicArn = String(raw.alarmTopicArn ?? '').trim();
  if (alarmTopicArn !== '' && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(alarmTopicArn)) {
    throw settingError(`parameter alarmTopicArn must be an SNS topic ARN or empty, got "${alarmTopicArn}"`);
  }
  const logLevel = String(raw.logLevel ?? '').toUpperCase();
  if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel)) {
    throw settingError(`parameter logLevel must be DEBUG, INFO, WARN or ERROR, got "${raw.logLevel}"`);
  }
  return {
    stage,
    tableNames: tableNames(stage, String(raw.stateTableSuffix ?? '').trim()),
    // Lambda environment values are strings.
    stateTtlDays: String(integerSetting('stateTtlDays', raw.stateTtlDays)),
    eventLogRetentionDays: String(integerSetting('eventLogRetentionDays', raw.eventLogRetentionDays)),
    redactOverrideEnvironment: String(booleanSetting('redactOverrideEnvironment', raw.redactOverrideEnvironment)),
    logLevel,
    lambdaLogRetentionDays,
    // Up to a week: Lambda gives up on stream records long before (maximumRecordAgeInSeconds).
    iteratorAgeAlarmMs:
      integerSetting('iteratorAgeAlarmSeconds', raw.iteratorAgeAlarmSeconds, { min: 1, max: 7 * 86_400 }) * 1000,
    // Alarms always exist (and show in the console); they notify only when a topic is given.
    alarmActions: alarmTopicArn === '' ? [] : [alarmTopicArn],
  };
}

/**
 * A table's ARN from its name. Fn::Join rather than Fn::Sub: Serverless would read `${AWS::Region}`
 * as one of its own variables; and a table's policy cannot Fn::GetAtt its own table.
 */
const tableArn = (tableName) => ({
  'Fn::Join': [
    ':',
    [
      'arn',
      { Ref: 'AWS::Partition' },
      'dynamodb',
      { Ref: 'AWS::Region' },
      { Ref: 'AWS::AccountId' },
      `table/${tableName}`,
    ],
  ],
});

/**
 * The three AWS::DynamoDB::Table resources, keyed by logical id. Keys, attributes, indexes and the
 * stream come from the table model (the same that creates the local tables); the deploy-only
 * properties (recovery, protection, encryption, TTL, retention policies) are added here.
 */
function tableResources(settings) {
  const common = (kind) => ({
    ...model.tableProperties(kind, settings.tableNames[kind]),
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    // KMS with the AWS managed key aws/dynamodb: no key to pay for or manage, and every use of the
    // key is in CloudTrail (the default AWS owned key is not).
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
  });
  const ttl = (attributeName) => ({ TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true } });

  const eventLog = {
    Type: 'AWS::DynamoDB::Table',
    // The log is the truth: neither a stack deletion nor a replacing change may drop it.
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      ...common('eventLog'),
      DeletionProtectionEnabled: true,
      // Off unless an organisation's policy asks for it (eventLogRetentionDays > 0): ingest then
      // writes the TTL attribute on each item (LOG_RETENTION_DAYS).
      ...(Number(settings.eventLogRetentionDays) > 0 ? ttl(model.TTL_ATTRIBUTE) : {}),
      // Defence in depth for an append-only log: no principal, whatever its IAM policy, may change or
      // delete an item. (DynamoDB's own TTL deletions, when opted in, are not API calls and still run.)
      ResourcePolicy: {
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AppendOnlyLog',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: [
                'dynamodb:UpdateItem',
                'dynamodb:DeleteItem',
                'dynamodb:BatchWriteItem',
                'dynamodb:PartiQLUpdate',
                'dynamodb:PartiQLDelete',
              ],
              Resource: tableArn(settings.tableNames.eventLog),
            },
          ],
        },
      },
    },
  };

  // Latest-state tables are derived (rebuildable from the log), so a stack deletion drops them; a
  // replacement (a new stateTableSuffix) keeps the previous pair, still readable during the switch.
  const stateTable = (kind) => ({
    Type: 'AWS::DynamoDB::Table',
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Retain',
    Properties: { ...common(kind), ...ttl(model.tables[kind].ttlAttribute) },
  });

  return {
    [TABLE_LOGICAL_IDS.eventLog]: eventLog,
    [TABLE_LOGICAL_IDS.taskState]: stateTable('taskState'),
    [TABLE_LOGICAL_IDS.instanceState]: stateTable('instanceState'),
  };
}

/** Reads the parameters through Serverless' variable resolver. */
async function resolvedSettings({ resolveVariable }) {
  const param = (name) => resolveVariable(`param:${name}`);
  return deploySettings({
    stage: await resolveVariable('sls:stage'),
    stateTableSuffix: await param('stateTableSuffix'),
    stateTtlDays: await param('stateTtlDays'),
    eventLogRetentionDays: await param('eventLogRetentionDays'),
    redactOverrideEnvironment: await param('redactOverrideEnvironment'),
    logLevel: await param('logLevel'),
    lambdaLogRetentionDays: await param('lambdaLogRetentionDays'),
    iteratorAgeAlarmSeconds: await param('iteratorAgeAlarmSeconds'),
    alarmTopicArn: await param('alarmTopicArn'),
  });
}

module.exports = {
  TABLE_LOGICAL_IDS,
  tableNames,
  deploySettings,
  tableResources,
  // Called by serverless.yml: ${file(deploy/cloudformation.cjs):settings.<key>} and :tables.<LogicalId>.
  settings: resolvedSettings,
  tables: async ({ resolveVariable }) => tableResources(await resolveVariable('self:custom.settings')),
};
