// Least privilege: each role's exact statements, no other role, no wildcard but where AWS requires one,
// no UpdateItem/DeleteItem/batch writes, the projector following the state-table suffix; every
// PutItem on the log held to its writer's partition keys, from domain/keySuffixes.cjs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KEY_SUFFIXES, type LogWriter, leadingKeyPatterns } from '../../domain/keySuffixes.cjs';
import { root } from '../support/packaging.js';
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

describe('least privilege', () => {
  /** A role's statements: in its AWS::IAM::RolePolicy resources (the role itself has no inline policy). */
  const statementsOf = (roleId: string, policyIds = [`${roleId}Policy`]) => {
    const role = R[roleId] as Resource;
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const attached = Object.entries(R)
      .filter(
        ([, r]) =>
          r.Type === 'AWS::IAM::RolePolicy' && JSON.stringify(r.Properties.RoleName) === JSON.stringify(ref(roleId)),
      )
      .map(([id]) => id)
      .sort();
    expect(attached).toEqual([...policyIds].sort());
    return policyIds.flatMap((id) => R[id]?.Properties.PolicyDocument.Statement);
  };

  it('lets ingest only PutItem on the log, send to its own failure queue and write its own logs', () => {
    expect(statementsOf('IngestRole')).toEqual([
      { Sid: 'AppendToEventLog', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: getAtt('EventLogTable') },
      { Sid: 'ParkFailedEvents', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt('IngestFailureQueue') },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAtt('IngestLogGroup'),
      },
    ]);
  });

  it('lets the projector only read the log stream, PutItem on the two state tables, send to its queue, log', () => {
    expect(statementsOf('ProjectorRole', ['ProjectorStreamReadPolicy', 'ProjectorRolePolicy'])).toEqual([
      {
        Sid: 'ReadEventLogStream',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Resource: getAtt('EventLogTable', 'StreamArn'),
      },
      { Sid: 'ListStreamsRequiresStar', Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
      {
        Sid: 'PutLatestState',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: [getAtt('TaskStateTable'), getAtt('InstanceStateTable')],
      },
      // The reconciler's missing mark: one attribute of a row, conditional on the row's version.
      {
        Sid: 'MarkLatestStateMissing',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: [getAtt('TaskStateTable'), getAtt('InstanceStateTable')],
      },
      {
        Sid: 'ParkFailedBatches',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: getAtt('ProjectorFailureQueue'),
      },
      // The log's record of a tampering, and nothing else: only partition keys ending in #tampered.
      {
        Sid: 'AppendTamperMarkers',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: getAtt('EventLogTable'),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['*#tampered'] } },
      },
      { Sid: 'KeepTamperedImages', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt('LogTamperQueue') },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAtt('ProjectorLogGroup'),
      },
    ]);
  });

  it('has no other roles, and no wildcard in any grant except ListStreams, where AWS requires one', () => {
    expect(
      Object.entries(R)
        .filter(
          ([, r]) =>
            r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy',
        )
        .map(([id]) => id)
        .sort(),
      // The archiver's (always) and the cold store's Firehose delivery role (with coldStore on): deploy/coldStore.cjs.
    ).toEqual(['ArchiverRole', 'ColdStoreDeliveryRole', 'IngestRole', 'ProjectorRole', 'ReconcilerRole']);
    expect(
      Object.entries(R)
        .filter(([, r]) => r.Type === 'AWS::IAM::RolePolicy')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['IngestRolePolicy', 'ProjectorRolePolicy', 'ProjectorStreamReadPolicy', 'ReconcilerRolePolicy']);
    const grants = policyStatements(template).filter(({ statement }) => statement.Effect === 'Allow');
    expect(grants.length).toBeGreaterThan(8);
    for (const { holder, statement } of grants) {
      for (const action of actionsOf(statement)) expect(action, `${holder} ${statement.Sid}`).not.toContain('*');
      if (statement.Sid === 'ListStreamsRequiresStar' || statement.Sid === 'ListClustersRequiresStar') continue;
      // ECS actions whose cluster IAM checks through the ecs:cluster condition key, not the resource.
      if (statement.Sid === 'ListAndDescribeInClustersByCondition') {
        expect(statement.Condition?.ArnLike?.['ecs:cluster']).toBeDefined();
        continue;
      }
      // The reconciler's cluster ARNs end in cluster/* when it reconciles every cluster of the account.
      if (statement.Sid === 'ListContainerInstancesOfClusters') continue;
      // Firehose names the objects it writes: an object ARN needs a key pattern, under the cold store's two prefixes.
      if (statement.Sid === 'WriteHistoryObjects') {
        expect(JSON.stringify(resourcesOf(statement))).toMatch(/data\/\*.*errors\/\*/);
        continue;
      }
      for (const resource of resourcesOf(statement)) {
        expect(JSON.stringify(resource), `${holder} ${statement.Sid}`).not.toContain('*');
      }
      if (statement.Principal) expect(JSON.stringify(statement.Principal)).not.toContain('*');
    }
  });

  it('grants nobody UpdateItem, DeleteItem or batch writes, anywhere (but the missing mark on state rows)', () => {
    const forbidden = /^dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|PartiQL\w+|\*)$/;
    const grants = policyStatements(template).filter(
      ({ holder, statement }) =>
        statement.Effect === 'Allow' &&
        !(holder === 'ProjectorRolePolicy' && statement.Sid === 'MarkLatestStateMissing'),
    );
    expect(grants.flatMap(({ statement }) => actionsOf(statement)).filter((a) => forbidden.test(a))).toEqual([]);
  });

  it('makes the projector role follow the state-table suffix', () => {
    expect(custom.Resources.TaskStateTable?.Properties.TableName).toBe('ECSTaskState-prod-v2');
    expect(custom.Resources.InstanceStateTable?.Properties.TableName).toBe('ECSCtrInstanceState-prod-v2');
    const put = custom.Resources.ProjectorRolePolicy?.Properties.PolicyDocument.Statement.find(
      (s: Json) => s.Sid === 'PutLatestState',
    );
    expect(put.Resource).toEqual([getAtt('TaskStateTable'), getAtt('InstanceStateTable')]);
    expect(custom.Resources.ProjectorLambdaFunction?.Properties.Environment.Variables).toMatchObject({
      TASK_STATE_TABLE: 'ECSTaskState-prod-v2',
      INSTANCE_STATE_TABLE: 'ECSCtrInstanceState-prod-v2',
      STATE_TTL_DAYS: '7',
    });
    // The log never takes the suffix: there is one log.
    expect(custom.Resources.EventLogTable?.Properties.TableName).toBe('ECSEventLog-prod');
  });
});

describe('partition keys of the log', () => {
  it("holds each role's PutItem on the log to its writer's suffixes, as domain/keySuffixes.cjs declares them", () => {
    const writers: Record<string, LogWriter> = {
      IngestRolePolicy: 'ingest',
      ProjectorRolePolicy: 'projector',
      ReconcilerRolePolicy: 'reconciler',
    };
    for (const [holder, writer] of Object.entries(writers)) {
      const puts = policyStatements(template).filter(
        ({ holder: h, statement }) =>
          h === holder &&
          actionsOf(statement).includes('dynamodb:PutItem') &&
          JSON.stringify(resourcesOf(statement)) === JSON.stringify([getAtt('EventLogTable')]),
      );
      expect(puts, holder).toHaveLength(1);
      const patterns = leadingKeyPatterns(writer);
      // No condition for a writer of plain ARNs (ingest): no StringLike pattern admits "no suffix" alone.
      expect(puts[0]?.statement.Condition, holder).toEqual(
        patterns && { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns } },
      );
    }
  });

  it('spells out no suffix in serverless.yml or deploy/: every condition is derived', () => {
    const files = ['serverless.yml', ...readdirSync(join(root, 'deploy')).map((f) => join('deploy', f))];
    const suffixes = Object.values(KEY_SUFFIXES)
      .map((s) => s.suffix)
      .filter((s) => s !== '');
    expect(suffixes.length).toBeGreaterThan(3);
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const suffix of suffixes) expect(text.includes(suffix), `${file} ${suffix}`).toBe(false);
    }
  });
});
