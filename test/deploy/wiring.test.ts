// How each function is wired: the ingest rule (pattern, retries, dead letters), the refusal parking and
// the asynchronous on-failure destination; the projector's event source mapping; the reconciler's
// schedule, retries, clusters and role.
import { beforeAll, describe, expect, it } from 'vitest';
import cfn from '../../deploy/cloudformation.cjs';
import { CALL_ACTION_NAMES } from '../../domain/apiCalls/actions.js';
import { ECS_DETAIL_TYPE_PREFIX, EVENT_DETAIL_TYPE_NAMES, KINDS as KIND_TABLE } from '../../domain/kinds.js';
import { loadSamples } from '../../sim/samples.js';
import {
  actionsOf,
  getAtt,
  type Json,
  loadTemplates,
  policyStatements,
  type Resource,
  ref,
  resourcesOf,
  type Template,
} from './template.js';

let template: Template;
let custom: Template;
let R: Record<string, Resource>;

beforeAll(async () => {
  ({ template, custom } = await loadTemplates());
  R = template.Resources;
});

describe('ingest wiring', () => {
  // The ingest rule: the one with an event pattern (the reconciler's rule is a schedule).
  /** The rules with a pattern but the self-audit ones (test/deploy/alarms.test.ts): the ingest rule. */
  const patternRules = () =>
    Object.entries(R)
      .filter(
        ([id, r]) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern && !id.startsWith('StoreChanged'),
      )
      .map(([, r]) => r);
  const rule = () => patternRules()[0] as Resource;

  /** EventBridge matching of the two forms the rule uses: a list of exact strings and `{ prefix }`. */
  /** EventBridge's matching, for what the pattern uses: `$or`, nested fields, exact strings and `prefix`. */
  const matches = (pattern: Json, event: Json): boolean =>
    Object.entries(pattern).every(([field, allowed]) => {
      if (field === '$or') return (allowed as Json[]).some((branch) => matches(branch, event));
      if (!Array.isArray(allowed)) return typeof event[field] === 'object' && matches(allowed, event[field] ?? {});
      return (allowed as Json[]).some((a) =>
        typeof a === 'string'
          ? event[field] === a
          : typeof event[field] === 'string' && event[field].startsWith(a.prefix),
      );
    });

  it('routes source aws.ecs and every detail-type that starts with "ECS ", and the ECS write calls CloudTrail records, nothing else', () => {
    expect(patternRules()).toHaveLength(1);
    const pattern = rule().Properties.EventPattern;
    expect(pattern).toEqual(cfn.ECS_EVENT_PATTERN);
    const [events, calls] = pattern.$or;
    expect(events).toEqual({ source: ['aws.ecs'], 'detail-type': [{ prefix: 'ECS ' }] });
    expect(calls.detail.eventName).toEqual(CALL_ACTION_NAMES);
    expect(rule().Properties).toMatchObject({ Name: 'ecs-event-store-dev-ecs-events', State: 'ENABLED' });
    // The prefix is the one the code keeps (domain/kinds.ts): what the rule routes, ingest logs.
    expect(events['detail-type'][0].prefix).toBe(ECS_DETAIL_TYPE_PREFIX);
    const types = [
      // The calls' detail-type is routed only with their source, action and eventSource (below).
      ...EVENT_DETAIL_TYPE_NAMES.filter((t) => t !== KIND_TABLE.apiCall.detailType),
      ...Object.values(KIND_TABLE.other.named),
      ...[...loadSamples().values()].map((e) => (e as Json)['detail-type']),
      'ECS Something New',
    ];
    for (const type of types) expect(matches(pattern, { source: 'aws.ecs', 'detail-type': type }), type).toBe(true);
    for (const [source, type] of [
      ['aws.ecs', 'AWS API Call via CloudTrail'],
      ['aws.ecs', 'ecs task state change'],
      ['aws.ec2', 'ECS Task State Change'],
    ]) {
      expect(matches(pattern, { source, 'detail-type': type }), `${source} ${type}`).toBe(false);
    }
    const call = (eventSource: string, eventName: string, source = 'aws.ecs') => ({
      source,
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventSource, eventName },
    });
    for (const name of CALL_ACTION_NAMES) expect(matches(pattern, call('ecs.amazonaws.com', name)), name).toBe(true);
    expect(matches(pattern, call('ecs.amazonaws.com', 'DescribeTasks'))).toBe(false);
    expect(matches(pattern, call('ecs.amazonaws.com', 'PutAccountSetting'))).toBe(false);
    expect(matches(pattern, call('ec2.amazonaws.com', 'RunTask'))).toBe(false);
    expect(matches(pattern, call('ecs.amazonaws.com', 'RunTask', 'aws.ec2'))).toBe(false);
  });

  it('gives the rule target bounded retries and its own dead-letter queue, which only the rules to ingest may use', () => {
    const [target] = rule().Properties.Targets;
    expect(target.Arn).toEqual(getAtt('IngestLambdaFunction'));
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 });
    expect(target.DeadLetterConfig).toEqual({ Arn: getAtt('IngestRuleDeadLetterQueue') });

    const policy = R.IngestRuleDeadLetterQueuePolicy?.Properties;
    expect(policy.Queues).toEqual([ref('IngestRuleDeadLetterQueue')]);
    const ruleArn = (name: string) => ({
      'Fn::Join': [
        ':',
        ['arn', ref('AWS::Partition'), 'events', ref('AWS::Region'), ref('AWS::AccountId'), `rule/${name}`],
      ],
    });
    // The store-call log rules (deploy/selfAudit.cjs) dead-letter there too.
    const logRules = Object.values(R).filter(
      (r) =>
        r.Type === 'AWS::Events::Rule' &&
        r.Properties.Targets?.[0]?.Arn?.['Fn::GetAtt']?.[0] === 'IngestLambdaFunction',
    );
    expect(logRules.length).toBeGreaterThan(1);
    for (const r of logRules)
      expect(r.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: getAtt('IngestRuleDeadLetterQueue') });
    // The ingest rule and every log rule, nothing else.
    expect(policy.PolicyDocument.Statement[0].Condition.ArnEquals['aws:SourceArn']).toHaveLength(logRules.length);
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'OnlyTheIngestRulesMayDeadLetter',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAtt('IngestRuleDeadLetterQueue'),
        Condition: {
          ArnEquals: {
            'aws:SourceArn': expect.arrayContaining(logRules.map((r) => ruleArn(r.Properties.Name))),
          },
        },
      },
    ]);
  });

  it('parks a refused event once from the function itself: queue URL, SendMessage on that queue only, a Rejected alarm', () => {
    expect(R.IngestLambdaFunction?.Properties.Environment.Variables.INGEST_FAILURE_QUEUE_URL).toEqual(
      ref('IngestFailureQueue'),
    );
    // Least privilege: SendMessage on the one queue, which is also the on-failure destination.
    const sends = policyStatements(template).filter(
      ({ holder, statement }) =>
        holder === 'IngestRolePolicy' && actionsOf(statement).some((a) => a.startsWith('sqs:')),
    );
    expect(sends.map(({ statement }) => [actionsOf(statement), resourcesOf(statement)])).toEqual([
      [['sqs:SendMessage'], [getAtt('IngestFailureQueue')]],
    ]);
    // Refusals are no function errors any more: their alarm watches the function's own Rejected count.
    const alarm = R.IngestRejectedAlarm?.Properties;
    expect(alarm).toMatchObject({
      Namespace: 'ECSEventStore',
      MetricName: 'Rejected',
      Dimensions: [{ Name: 'service', Value: 'ecs-event-store-dev' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // The namespace and service dimension are the function's own Powertools settings.
    const env = R.IngestLambdaFunction?.Properties.Environment.Variables;
    expect([alarm.Namespace, alarm.Dimensions[0].Value]).toEqual([
      env.POWERTOOLS_METRICS_NAMESPACE,
      env.POWERTOOLS_SERVICE_NAME,
    ]);
  });

  it('parks function errors (transient failures) in the on-failure queue after bounded async retries', () => {
    // The reconciler's own (no retry: the next scheduled run does it all again) is checked with its wiring.
    const configs = Object.values(R).filter(
      (r) =>
        r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref !== 'ReconcilerLambdaFunction',
    );
    expect(configs).toHaveLength(1);
    expect(configs[0]?.Properties).toEqual({
      FunctionName: ref('IngestLambdaFunction'),
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21_600,
      DestinationConfig: { OnFailure: { Destination: getAtt('IngestFailureQueue') } },
    });
  });
});

describe('projector wiring', () => {
  it('reads the log stream with partial-batch responses, bisection, bounded retries and an on-failure queue', () => {
    // The projector's; the archiver's, the stream's second reader, is the cold store's (test/coldStore.test.ts).
    const mappings = Object.values(R).filter(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        r.Properties.FunctionName['Fn::GetAtt'][0] === 'ProjectorLambdaFunction',
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toEqual({
      EventSourceArn: getAtt('EventLogTable', 'StreamArn'),
      FunctionName: getAtt('ProjectorLambdaFunction'),
      Enabled: true,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 21_600,
      DestinationConfig: { OnFailure: { Destination: getAtt('ProjectorFailureQueue') } },
    });
  });

  it('creates the mapping after its stream-read policy (Lambda checks it then), each function after its policy', () => {
    expect(R.ProjectorEventSourceMappingDynamodbEventLogTable?.DependsOn).toContain('ProjectorStreamReadPolicy');
    expect(R.IngestLambdaFunction?.DependsOn).toContain('IngestRolePolicy');
    expect(R.ProjectorLambdaFunction?.DependsOn).toEqual(
      expect.arrayContaining(['ProjectorRolePolicy', 'ProjectorStreamReadPolicy']),
    );
    expect(R.ReconcilerLambdaFunction?.DependsOn).toContain('ReconcilerRolePolicy');
    // The log's policy names the roles by id, the roles' policies name the log: no policy is on a role.
    expect(JSON.stringify(R.EventLogTable)).toContain(JSON.stringify(getAtt('IngestRole', 'RoleId')));
    expect(JSON.stringify(R.IngestRolePolicy?.Properties.PolicyDocument)).toContain('EventLogTable');
  });

  it("tells the projector the log's retention: with it off, a TTL removal is tampering", () => {
    const env = (t: Template) => t.Resources.ProjectorLambdaFunction?.Properties.Environment.Variables;
    expect(env(template).LOG_RETENTION_DAYS).toBe('0');
    expect(env(custom).LOG_RETENTION_DAYS).toBe('400');
  });
});

describe('archiver wiring (the cold store, docs/sql.md)', () => {
  it('reads the log stream as its second reader, with partial-batch responses, disabled while coldStore is off', () => {
    const mapping = R.ArchiverEventSourceMappingDynamodbEventLogTable?.Properties;
    expect(mapping).toMatchObject({
      EventSourceArn: getAtt('EventLogTable', 'StreamArn'),
      FunctionName: getAtt('ArchiverLambdaFunction'),
      Enabled: false,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
    });
    // Off by default: none of the cold store's resources is created (they are under its condition).
    expect(template.Resources.ColdStoreDeliveryStream?.Condition).toBe('ColdStoreEnabled');
  });

  it('with coldStore=on the packaged template holds Firehose with Parquet conversion, the projected table, the limited workgroup', () => {
    const c = custom.Resources;
    expect(c.ArchiverEventSourceMappingDynamodbEventLogTable?.Properties.Enabled).toBe(true);
    const d = c.ColdStoreDeliveryStream?.Properties.ExtendedS3DestinationConfiguration;
    expect(d.DataFormatConversionConfiguration.Enabled).toBe(true);
    expect(d.DataFormatConversionConfiguration.OutputFormatConfiguration.Serializer.ParquetSerDe.Compression).toBe(
      'SNAPPY',
    );
    expect(d.BufferingHints.SizeInMBs).toBe(64);
    expect(c.ColdStoreTable?.Properties.TableInput.Parameters['projection.enabled']).toBe('true');
    expect(c.ColdStoreWorkGroup?.Properties.WorkGroupConfiguration.BytesScannedCutoffPerQuery).toBe(5 * 1024 ** 3);
  });
});

describe('reconciler wiring', () => {
  const ecsArn = (resource: string) => ({
    'Fn::Join': [':', ['arn', ref('AWS::Partition'), 'ecs', ref('AWS::Region'), ref('AWS::AccountId'), resource]],
  });
  const scheduleOf = (t: Template) =>
    Object.values(t.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.ScheduleExpression);
  const statements = (t: Template) => t.Resources.ReconcilerRolePolicy?.Properties.PolicyDocument.Statement;

  it('runs hourly by default on an enabled schedule, once per run (no async retry)', () => {
    const [schedule, ...more] = scheduleOf(template);
    expect(more).toEqual([]);
    expect(schedule?.Properties).toMatchObject({
      Name: 'ecs-event-store-dev-reconcile',
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [{ Arn: getAtt('ReconcilerLambdaFunction') }],
    });
    const config = Object.values(R).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref === 'ReconcilerLambdaFunction',
    );
    expect(config?.Properties).toMatchObject({ MaximumRetryAttempts: 0 });
  });

  it('turns the schedule off with reconcileSchedule=off, and limits itself to reconcileClusters', () => {
    expect(scheduleOf(custom)[0]?.Properties).toMatchObject({ ScheduleExpression: 'rate(1 hour)', State: 'DISABLED' });
    const env = custom.Resources.ReconcilerLambdaFunction?.Properties.Environment.Variables;
    expect(env.RECONCILE_RATE).toBe('25');
    expect(env.RECONCILE_CLUSTERS).toEqual({ 'Fn::Join': [',', [ecsArn('cluster/batch'), ecsArn('cluster/prod')]] });
  });

  it('has its own least-privilege role, by the fixed name the log policy expects', () => {
    const role = R.ReconcilerRole as Resource;
    expect(role.Properties).toMatchObject({ RoleName: 'ecs-event-store-dev-reconciler', Path: '/' });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const index = (id: string) => ({ 'Fn::Join': ['', [getAtt(id), '/index/byClusterPhase']] });
    const scoped = (clusters: unknown[]) => [
      {
        Sid: 'ListContainerInstancesOfClusters',
        Effect: 'Allow',
        Action: 'ecs:ListContainerInstances',
        Resource: clusters,
      },
      {
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
          getAtt('TaskStateTable'),
          index('TaskStateTable'),
          getAtt('InstanceStateTable'),
          index('InstanceStateTable'),
        ],
      },
      // Never under an event's own key: only the reconciler's partitions.
      {
        Sid: 'AppendObservationsToEventLog',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: getAtt('EventLogTable'),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['*#observed', '*#observed-missing'] } },
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAtt('ReconcilerLogGroup'),
      },
    ];
    // Every cluster of the account: ListClusters (no resource-level permission exists for it).
    expect(statements(template)).toEqual([
      { Sid: 'ListClustersRequiresStar', Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' },
      ...scoped([ecsArn('cluster/*')]),
    ]);
    // Named clusters: no ListClusters at all, every ECS grant narrowed to them.
    expect(statements(custom)).toEqual(scoped([ecsArn('cluster/batch'), ecsArn('cluster/prod')]));
    expect(custom.Resources.ReconcilerRole?.Properties.RoleName).toBe('ecs-event-store-prod-reconciler');
  });

  it('validates its parameters', () => {
    const ok = { stage: 'dev', stateTtlDays: 30, eventLogRetentionDays: 0, redactOverrideEnvironment: true };
    const base = {
      ...ok,
      logLevel: 'INFO',
      lambdaLogRetentionDays: 30,
      iteratorAgeAlarmSeconds: 300,
      alarmTopicArn: '',
    };
    for (const good of ['rate(1 hour)', 'rate(15 minutes)', 'rate(2 days)', 'cron(0 6 * * ? *)', 'OFF']) {
      expect(() => cfn.deploySettings({ ...base, reconcileSchedule: good })).not.toThrow();
    }
    const refusals: [Record<string, unknown>, string][] = [
      [{ reconcileSchedule: 'hourly' }, 'parameter reconcileSchedule must be'],
      [{ reconcileSchedule: 'rate(1 hours)' }, 'parameter reconcileSchedule must be'],
      [{ reconcileSchedule: 'rate(0 minutes)' }, 'parameter reconcileSchedule must be'],
      [{ reconcileClusters: 'prod,a/b' }, 'parameter reconcileClusters must be cluster names'],
      [{ reconcileRate: '-1' }, 'parameter reconcileRate must be a number'],
    ];
    for (const [change, message] of refusals) expect(() => cfn.deploySettings({ ...base, ...change })).toThrow(message);
  });
});
