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

/**
 * Every ECS event, whatever its detail-type (ECS names them all "ECS ..."): the one pattern of the
 * ingest rule, the event archive, and the member accounts' forwarding rule (deploy/member-forwarder.yml
 * writes it out; test/deploy.test.ts checks that it is this one).
 */
const ECS_EVENT_PATTERN = Object.freeze({
  source: Object.freeze(['aws.ecs']),
  'detail-type': Object.freeze([Object.freeze({ prefix: 'ECS ' })]),
});

/** Logical ids of the event-routing resources (central bus, archive) in the CloudFormation template. */
const ROUTING_LOGICAL_IDS = { centralEventBus: 'CentralEventBus', eventArchive: 'EventArchive' };

/** The template's condition names: a resource under a false condition is not created at all. */
const ROUTING_CONDITIONS = { centralEventBus: 'CentralEventBusEnabled', eventArchive: 'EventArchiveEnabled' };

/** At most this many account ids get their own metric dimension value (the rest count as "other"). */
const MAX_METRIC_ACCOUNTS = 50;

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

/** A comma-separated list of 12-digit AWS account ids ("" = none), without duplicates, sorted. */
function accountIdsSetting(name, value) {
  const ids = String(value ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const bad = ids.find((id) => !/^\d{12}$/.test(id));
  if (bad !== undefined) {
    throw settingError(`parameter ${name} must be 12-digit AWS account ids separated by commas, got "${bad}"`);
  }
  return [...new Set(ids)].sort();
}

/** An AWS Organizations id (o-...), or "" for none. */
function organizationIdSetting(value) {
  const id = String(value ?? '').trim();
  if (id !== '' && !/^o-[a-z0-9]{10,32}$/.test(id)) {
    throw settingError(
      `parameter organizationId must be an AWS Organizations id like o-a1b2c3d4e5, or empty, got "${id}"`,
    );
  }
  return id;
}

/**
 * `eventArchiveRetentionDays`: days (1 to 36500), `forever` (EventBridge's 0: never expire), or `off`
 * (no archive at all). A bare 0 is refused: EventBridge reads it as forever, an operator may mean off.
 */
function archiveRetentionSetting(value) {
  const text = String(value ?? '')
    .trim()
    .toLowerCase();
  if (text === 'off') return { enabled: false };
  if (text === 'forever') return { enabled: true, retentionDays: 0 };
  if (text === '0') {
    throw settingError(
      'parameter eventArchiveRetentionDays: 0 is ambiguous; say "forever" (never expire) or "off" (no archive)',
    );
  }
  return { enabled: true, retentionDays: integerSetting('eventArchiveRetentionDays', value, { min: 1 }) };
}

/** `arn:<partition>:events:<region>:<account>:<resource>` of this stack's account and region. */
const eventsArn = (resource) => ({
  'Fn::Join': [
    ':',
    ['arn', { Ref: 'AWS::Partition' }, 'events', { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, resource],
  ],
});

/**
 * Where the ingest rule listens, from the organization parameters. With an `organizationId` and/or
 * `memberAccountIds`, a dedicated bus (`<service>-<stage>`) that those accounts may forward ECS events
 * to, *instead of* the default bus (one bus, one rule, one archive, one replay target: the central
 * account's own ECS events reach it through the member stack too). Without them, the default bus.
 */
function eventRouting({ service, stage, ingestRuleName, organizationId, memberAccountIds, metricAccountIds, archive }) {
  const central = organizationId !== '' || memberAccountIds.length > 0;
  const centralBusName = `${service}-${stage}`;
  const busName = central ? centralBusName : 'default';
  // Metric dimensions of the rule: only RuleName on the default bus, EventBusName + RuleName on a custom one.
  const ruleDimensions = [
    ...(central ? [{ Name: 'EventBusName', Value: busName }] : []),
    { Name: 'RuleName', Value: ingestRuleName },
  ];
  const metricAccounts = metricAccountIds.length > 0 ? metricAccountIds : memberAccountIds;
  if (metricAccounts.length > MAX_METRIC_ACCOUNTS) {
    throw settingError(
      `parameter metricAccountIds (or memberAccountIds) lists ${metricAccounts.length} accounts; at most ${MAX_METRIC_ACCOUNTS} get their own metric (a custom metric each)`,
    );
  }
  return {
    centralEventBus: central,
    organizationId,
    memberAccountIds,
    // The bus the ingest rule listens to and the archive records.
    eventBusName: busName,
    centralEventBusName: centralBusName,
    // What osls's eventBridge `eventBus` takes: "default", or the bus of this stack by GetAtt (so osls creates none).
    ingestEventBus: central ? { 'Fn::GetAtt': [ROUTING_LOGICAL_IDS.centralEventBus, 'Name'] } : 'default',
    // The last part of the ingest rule's ARN (a rule on a custom bus is rule/<bus>/<rule>).
    ingestRuleArnPath: central ? `rule/${busName}/${ingestRuleName}` : `rule/${ingestRuleName}`,
    ingestRuleMetricDimensions: ruleDimensions,
    eventArchive: archive,
    eventArchiveName: `${service}-${stage}-ecs-events`.slice(0, 48),
    // The ingest function's environment: the accounts counted under their own id.
    metricAccountIds: metricAccounts.join(','),
  };
}

/** IAM's longest role name. */
const MAX_ROLE_NAME = 64;

/**
 * The fixed IAM role names of one deployment (each role has this RoleName and Path "/"). The log's
 * resource policy names the roles that may PutItem on it by ARN, and cannot take those ARNs by
 * Fn::GetAtt: each role's own policy names the table, so that would be a dependency cycle. A role ARN
 * constructed from a fixed name breaks it. `reconciler` is the name agreed for the reconciler's role
 * (functions/reconciler.ts): in the policy whether or not that function is deployed yet, harmlessly
 * (a Deny condition may name a principal that does not exist).
 */
function roleNames(service, stage) {
  const names = {
    ingest: `${service}-${stage}-ingest`,
    projector: `${service}-${stage}-projector`,
    reconciler: `${service}-${stage}-reconciler`,
  };
  for (const name of Object.values(names)) {
    if (name.length > MAX_ROLE_NAME) {
      throw settingError(
        `role name ${name} is longer than ${MAX_ROLE_NAME} characters (IAM's limit): shorten the stage`,
      );
    }
  }
  return names;
}

/**
 * The roles that may PutItem on the log (the log's resource policy denies it to every other principal):
 * ingest and the reconciler append events and observations with the conditional put; the projector
 * appends only tamper markers (its IAM policy allows no other partition key, dynamodb:LeadingKeys).
 */
const APPEND_ROLES = ['ingest', 'reconciler', 'projector'];

/** `arn:<partition>:iam::<account>:role/<name>`, constructed (no dependency on the role resource). */
const roleArn = (name) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:role/${name}`]],
});

/** `logRepairPrincipalArn`: an IAM role ARN let through the PutItem lock on purpose, or "" (the default: none). */
function repairPrincipalSetting(value) {
  const arn = String(value ?? '').trim();
  if (arn !== '' && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(arn)) {
    throw settingError(`parameter logRepairPrincipalArn must be an IAM role ARN or empty, got "${arn}"`);
  }
  return arn;
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
    roleNames: roleNames(String(raw.service ?? 'ecs-event-store'), stage),
    logRepairPrincipalArn: repairPrincipalSetting(raw.logRepairPrincipalArn),
    ecsEventPattern: ECS_EVENT_PATTERN,
    ...eventRouting({
      service: String(raw.service ?? 'ecs-event-store'),
      stage,
      ingestRuleName: String(raw.ingestRuleName ?? `${raw.service ?? 'ecs-event-store'}-${stage}-ecs-events`),
      organizationId: organizationIdSetting(raw.organizationId),
      memberAccountIds: accountIdsSetting('memberAccountIds', raw.memberAccountIds),
      metricAccountIds: accountIdsSetting('metricAccountIds', raw.metricAccountIds),
      archive: archiveRetentionSetting(raw.eventArchiveRetentionDays ?? 30),
    }),
    ...reconcileSettings(raw),
  };
}

/**
 * The central bus's resource policy: PutEvents on this bus only, only for ECS events (source aws.ecs,
 * detail-type "ECS ..."), only by principals of the organization and/or of the listed accounts.
 * PutEvents refuses a source starting with "aws." from any caller, so such events can only arrive
 * through a rule forwarding what ECS emitted in the sender's own account (docs/organization.md).
 */
function centralBusPolicy(settings) {
  const busArn = eventsArn(`event-bus/${settings.eventBusName}`);
  const ecsEventsOnly = {
    'ForAllValues:StringEquals': { 'events:source': ['aws.ecs'] },
    'ForAllValues:StringLike': { 'events:detail-type': ['ECS *'] },
  };
  const statements = [];
  if (settings.organizationId !== '') {
    statements.push({
      Sid: 'OrganizationMayForwardEcsEvents',
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: busArn,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': settings.organizationId }, ...ecsEventsOnly },
    });
  }
  if (settings.memberAccountIds.length > 0) {
    statements.push({
      Sid: 'MemberAccountsMayForwardEcsEvents',
      Effect: 'Allow',
      Principal: {
        AWS: settings.memberAccountIds.map((id) => ({
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${id}:root`]],
        })),
      },
      Action: 'events:PutEvents',
      Resource: busArn,
      Condition: ecsEventsOnly,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The event-routing resources, keyed by logical id, and their conditions: the central bus (created
 * only with organization parameters) and the archive of the bus the ingest rule listens to (created
 * unless eventArchiveRetentionDays is off). Both logical ids are always in the template (a
 * serverless.yml key cannot be left out); a disabled one carries its condition, which is false, so
 * CloudFormation creates nothing for it. The outputs about them use the same conditions.
 */
function routingResources(settings) {
  const central = settings.centralEventBus;
  const condition = (enabled) => ({ 'Fn::Equals': [String(enabled), 'true'] });
  const busArn = central
    ? { 'Fn::GetAtt': [ROUTING_LOGICAL_IDS.centralEventBus, 'Arn'] }
    : eventsArn('event-bus/default');
  const archive = settings.eventArchive;
  return {
    conditions: {
      [ROUTING_CONDITIONS.centralEventBus]: condition(central),
      [ROUTING_CONDITIONS.eventArchive]: condition(archive.enabled),
    },
    [ROUTING_LOGICAL_IDS.centralEventBus]: {
      Type: 'AWS::Events::EventBus',
      ...(!central && { Condition: ROUTING_CONDITIONS.centralEventBus }),
      Properties: {
        Name: settings.centralEventBusName,
        Description: 'ECS events forwarded by the member accounts of the organization to the ECS event store',
        ...(central && { Policy: centralBusPolicy(settings) }),
      },
    },
    [ROUTING_LOGICAL_IDS.eventArchive]: {
      Type: 'AWS::Events::Archive',
      ...(!archive.enabled && { Condition: ROUTING_CONDITIONS.eventArchive }),
      Properties: {
        ArchiveName: settings.eventArchiveName,
        Description: 'Every ECS event of the ingest bus, for `ecs-events replay` after an outage',
        SourceArn: busArn,
        EventPattern: settings.ecsEventPattern,
        ...(archive.enabled && { RetentionDays: archive.retentionDays }),
      },
    },
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
      // Defence in depth for an append-only log, whatever a principal's IAM policy says: nobody may
      // change or delete an item, and only the append roles may PutItem (an unconditional put would
      // overwrite). DynamoDB's own TTL deletions, when opted in, are not API calls and still run.
      ResourcePolicy: { PolicyDocument: logResourcePolicy(settings) },
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

/**
 * The log's resource policy. `logRepairPrincipalArn` (empty by default) lets one more role through
 * the PutItem lock, on purpose and for a while: the copy-back of a restore (docs/operations.md).
 */
function logResourcePolicy(settings) {
  const resource = tableArn(settings.tableNames.eventLog);
  const appenders = APPEND_ROLES.map((role) => roleArn(settings.roleNames[role]));
  if (settings.logRepairPrincipalArn) appenders.push(settings.logRepairPrincipalArn);
  return {
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
          'dynamodb:PartiQLInsert',
          'dynamodb:PartiQLUpdate',
          'dynamodb:PartiQLDelete',
        ],
        Resource: resource,
      },
      {
        Sid: 'PutOnlyByTheAppendRoles',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'dynamodb:PutItem',
        Resource: resource,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': appenders } },
      },
    ],
  };
}

/**
 * `reconcileSchedule`: an EventBridge `rate(...)` or `cron(...)` expression, or `off` (the function is
 * deployed, its schedule rule disabled: `ecs-events reconcile` or a manual invoke still run it).
 */
function reconcileScheduleSetting(value) {
  const text = String(value ?? '').trim();
  if (text.toLowerCase() === 'off') return { expression: 'rate(1 hour)', enabled: false };
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(text);
  const singular = rate && rate[1] === '1';
  if (rate && Number(rate[1]) >= 1 && singular === !rate[2].endsWith('s')) return { expression: text, enabled: true };
  if (/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/.test(text)) return { expression: text, enabled: true };
  throw settingError(
    `parameter reconcileSchedule must be rate(1 hour), rate(N minutes|hours|days), cron(...) or off, got "${value}"`,
  );
}

/** `reconcileClusters`: cluster names, comma-separated ("" = every cluster of the account and Region). */
function clusterNamesSetting(value) {
  const names = String(value ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const bad = names.find((n) => !/^[A-Za-z0-9_-]{1,255}$/.test(n));
  if (bad !== undefined) {
    throw settingError(`parameter reconcileClusters must be cluster names separated by commas, got "${bad}"`);
  }
  return [...new Set(names)].sort();
}

/** `arn:<partition>:ecs:<region>:<account>:<resource>` of this stack's account and region. */
const ecsArn = (resource) => ({
  'Fn::Join': [
    ':',
    ['arn', { Ref: 'AWS::Partition' }, 'ecs', { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, resource],
  ],
});

/** The reconciler's settings: its schedule, its clusters (names; ARNs for IAM and its environment), its rate. */
function reconcileSettings(raw) {
  const schedule = reconcileScheduleSetting(raw.reconcileSchedule ?? 'rate(1 hour)');
  const clusters = clusterNamesSetting(raw.reconcileClusters);
  const rate = Number(String(raw.reconcileRate ?? '10').trim());
  if (!Number.isFinite(rate) || rate < 0 || rate > 1000) {
    throw settingError(
      `parameter reconcileRate must be a number from 0 to 1000 (requests a second), got "${raw.reconcileRate}"`,
    );
  }
  const clusterArns = clusters.map((name) => ecsArn(`cluster/${name}`));
  return {
    reconcileScheduleExpression: schedule.expression,
    reconcileScheduleEnabled: schedule.enabled,
    reconcileClusterNames: clusters,
    reconcileRate: String(rate),
    // RECONCILE_CLUSTERS: the ARNs, comma-separated ("" = every cluster ListClusters returns).
    reconcileClustersEnv: clusters.length === 0 ? '' : { 'Fn::Join': [',', clusterArns] },
  };
}

/**
 * The reconciler role's statements: only the ECS reads it makes, scoped to the configured clusters
 * where IAM allows (ListContainerInstances by cluster ARN; ListTasks, DescribeTasks and
 * DescribeContainerInstances by the ecs:cluster condition key; ListClusters supports neither and is
 * granted only when no cluster is configured); Query and BatchGetItem on the two latest-state tables
 * (and their cluster index); PutItem on the log, only under the reconciler's own partition keys
 * (`<arn>#observed`, `<arn>#observed-missing`: never an event's); its own logs.
 */
function reconcilerStatements(settings) {
  const names = settings.reconcileClusterNames;
  const clusters = names.length === 0 ? [ecsArn('cluster/*')] : names.map((n) => ecsArn(`cluster/${n}`));
  const getAtt = (id) => ({ 'Fn::GetAtt': [id, 'Arn'] });
  // The latest-state tables' cluster index, by its name in the table model (both tables share it).
  const byCluster = model.tables.taskState.indexes.find((i) => i.partitionKey === 'clusterArn').name;
  const index = (id) => ({ 'Fn::Join': ['', [getAtt(id), `/index/${byCluster}`]] });
  return [
    ...(names.length === 0
      ? [{ Sid: 'ListClustersRequiresStar', Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' }]
      : []),
    {
      Sid: 'ListContainerInstancesOfClusters',
      Effect: 'Allow',
      Action: 'ecs:ListContainerInstances',
      Resource: clusters,
    },
    {
      // These actions take their cluster through the ecs:cluster condition key (their resource is a
      // task or container instance, or none for ListTasks): "*" narrowed by the condition.
      Sid: 'ListAndDescribeInClustersByCondition',
      Effect: 'Allow',
      Action: ['ecs:ListTasks', 'ecs:DescribeTasks', 'ecs:DescribeContainerInstances'],
      Resource: '*',
      Condition: { ArnLike: { 'ecs:cluster': clusters } },
    },
    {
      Sid: 'ReadLatestState',
      Effect: 'Allow',
      Action: ['dynamodb:Query', 'dynamodb:BatchGetItem'],
      Resource: [
        getAtt(TABLE_LOGICAL_IDS.taskState),
        index(TABLE_LOGICAL_IDS.taskState),
        getAtt(TABLE_LOGICAL_IDS.instanceState),
        index(TABLE_LOGICAL_IDS.instanceState),
      ],
    },
    {
      Sid: 'AppendObservationsToEventLog',
      Effect: 'Allow',
      Action: 'dynamodb:PutItem',
      Resource: getAtt(TABLE_LOGICAL_IDS.eventLog),
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['*#observed', '*#observed-missing'] } },
    },
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: getAtt('ReconcilerLogGroup'),
    },
  ];
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
    logRepairPrincipalArn: await param('logRepairPrincipalArn'),
    service: await resolveVariable('self:service'),
    ingestRuleName: await resolveVariable('self:custom.ingestRuleName'),
    organizationId: await param('organizationId'),
    memberAccountIds: await param('memberAccountIds'),
    metricAccountIds: await param('metricAccountIds'),
    eventArchiveRetentionDays: await param('eventArchiveRetentionDays'),
    reconcileSchedule: await param('reconcileSchedule'),
    reconcileClusters: await param('reconcileClusters'),
    reconcileRate: await param('reconcileRate'),
  });
}

module.exports = {
  TABLE_LOGICAL_IDS,
  tableNames,
  deploySettings,
  tableResources,
  APPEND_ROLES,
  reconcilerStatements,
  // ${file(deploy/cloudformation.cjs):reconciler.statements}: the reconciler role's policy statements.
  reconciler: async ({ resolveVariable }) => ({
    statements: reconcilerStatements(await resolveVariable('self:custom.settings')),
  }),
  // Called by serverless.yml: ${file(deploy/cloudformation.cjs):settings.<key>} and :tables.<LogicalId>.
  settings: resolvedSettings,
  tables: async ({ resolveVariable }) => tableResources(await resolveVariable('self:custom.settings')),
  ECS_EVENT_PATTERN,
  ROUTING_LOGICAL_IDS,
  ROUTING_CONDITIONS,
  routingResources,
  // ${file(deploy/cloudformation.cjs):routing.<LogicalId>} and :routing.conditions.<Name>.
  routing: async ({ resolveVariable }) => routingResources(await resolveVariable('self:custom.settings')),
};
