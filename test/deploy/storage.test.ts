// The queues (retention, encryption, which outlive the stack) and the tables (from the table model; the
// log's protection and append-only policy; the latest-state tables' recovery and TTL).
import { beforeAll, describe, expect, it } from 'vitest';
import cfn from '../../deploy/cloudformation.cjs';
import { forbiddenKeyPatterns, KEY_SUFFIXES, leadingKeyPatterns } from '../../domain/keySuffixes.cjs';
import model, { type TableKind } from '../../infra/tables.cjs';
import { getAtt, type Json, loadTemplates, type Resource, ref, type Template } from './template.js';

const KINDS = Object.keys(model.tables) as TableKind[];

let template: Template;
let custom: Template;
let R: Record<string, Resource>;

beforeAll(async () => {
  ({ template, custom } = await loadTemplates());
  R = template.Resources;
});

describe('queues', () => {
  it('keeps failures 14 days, encrypted', () => {
    const queues = Object.entries(R).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
    expect(queues.map(([id]) => id).sort()).toEqual(
      ['IngestFailureQueue', 'IngestRuleDeadLetterQueue', 'LogTamperQueue', 'ProjectorFailureQueue'].sort(),
    );
    for (const [, queue] of queues) {
      expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
    }
  });

  it('keeps the queues that can hold events through remove and replacement; not the pointer queue', () => {
    const retained = Object.entries(R)
      .filter(([, r]) => r.Type === 'AWS::SQS::Queue' && r.DeletionPolicy === 'Retain')
      .map(([id]) => id)
      .sort();
    expect(retained).toEqual(['IngestFailureQueue', 'IngestRuleDeadLetterQueue', 'LogTamperQueue']);
    for (const id of retained) expect(R[id]?.UpdateReplacePolicy, id).toBe('Retain');
    // Pointers to stream ranges only: the log holds the events and `verify --repair` needs no pointer.
    expect(R.ProjectorFailureQueue?.DeletionPolicy).toBeUndefined();
    expect(R.LogTamperQueue?.Properties.QueueName).toBe('ecs-event-store-dev-log-tampered');
  });
});

describe('tables', () => {
  const table = (t: Template, kind: TableKind) => t.Resources[cfn.TABLE_LOGICAL_IDS[kind]] as Resource;

  it('renders keys, attributes, indexes and the stream from the single table model', () => {
    const names = cfn.tableNames('dev');
    for (const kind of KINDS) {
      expect(table(template, kind).Properties).toMatchObject(model.tableProperties(kind, names[kind]));
    }
    // Old images too: a MODIFY or REMOVE is tampering, and the projector keeps what the item held.
    expect(table(template, 'eventLog').Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    expect(table(template, 'eventLog').Properties.GlobalSecondaryIndexes.map((i: Json) => i.IndexName)).toEqual([
      'byClusterTime',
      'byClusterCalls',
    ]);
    expect(Object.values(R).filter((r) => r.Type === 'AWS::DynamoDB::Table')).toHaveLength(3);
  });

  it('protects the log: retained, deletion-protected, point-in-time recovery, KMS, append-only by policy', () => {
    const log = table(template, 'eventLog');
    expect(log.DeletionPolicy).toBe('Retain');
    expect(log.UpdateReplacePolicy).toBe('Retain');
    expect(log.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    // Never expired by default.
    expect(log.Properties.TimeToLiveSpecification).toBeUndefined();
    const logArn = {
      'Fn::Join': [
        ':',
        ['arn', ref('AWS::Partition'), 'dynamodb', ref('AWS::Region'), ref('AWS::AccountId'), 'table/ECSEventLog-dev'],
      ],
    };
    const sessions = (roleId: string) => ({ 'Fn::Join': ['', [getAtt(roleId, 'RoleId'), ':*']] });
    const deny = (Sid: string, Action: unknown, Condition?: Json) => ({
      Sid,
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action,
      Resource: logArn,
      ...(Condition && { Condition }),
    });
    const roles = ['IngestRole', 'ReconcilerRole', 'ProjectorRole'];
    expect(log.Properties.ResourcePolicy.PolicyDocument.Statement).toEqual([
      deny('AppendOnlyLog', [
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:PartiQLInsert',
        'dynamodb:PartiQLUpdate',
        'dynamodb:PartiQLDelete',
      ]),
      // PutItem too, to everyone but the append roles, by their unique id (a role re-created under the
      // same name has another): an unconditional put would overwrite an event.
      deny('PutOnlyByTheAppendRoles', 'dynamodb:PutItem', { StringNotLike: { 'aws:userid': roles.map(sessions) } }),
      deny('PutOnlyWithItsKey', 'dynamodb:PutItem', { Null: { 'dynamodb:LeadingKeys': 'true' } }),
      // Each role under its own keys only, from the suffix-writer map (domain/keySuffixes.cjs).
      deny('IngestOnlyUnderItsKeys', 'dynamodb:PutItem', {
        StringLike: { 'aws:userid': sessions('IngestRole') },
        'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': forbiddenKeyPatterns('ingest') },
      }),
      deny('ReconcilerOnlyUnderItsKeys', 'dynamodb:PutItem', {
        StringLike: { 'aws:userid': sessions('ReconcilerRole') },
        'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': leadingKeyPatterns('reconciler') },
      }),
      deny('ProjectorOnlyUnderItsKeys', 'dynamodb:PutItem', {
        StringLike: { 'aws:userid': sessions('ProjectorRole') },
        'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': leadingKeyPatterns('projector') },
      }),
    ]);
    expect(forbiddenKeyPatterns('ingest')).toEqual(
      ['observed', 'observedMissing', 'tampered', 'tamperTrusted'].map(
        (name) => `*${KEY_SUFFIXES[name as keyof typeof KEY_SUFFIXES].suffix}`,
      ),
    );
    // No deployment role by default: no control-plane deny (the deploy warns), and no tamper-queue policy.
    expect(R.LogTamperQueuePolicy).toBeUndefined();
    expect(R.IngestRole?.Properties).toMatchObject({ RoleName: 'ecs-event-store-dev-ingest', Path: '/' });
    expect(R.ProjectorRole?.Properties).toMatchObject({ RoleName: 'ecs-event-store-dev-projector', Path: '/' });
  });

  it('lets the repair principal put event keys and trust words until its expiry, and the control plane only to the deployment role', () => {
    const statements: Json[] = custom.Resources.EventLogTable?.Properties.ResourcePolicy.PolicyDocument.Statement;
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    const repair = 'arn:aws:iam::123456789012:role/ops/log-repair';
    const deployer = 'arn:aws:iam::123456789012:role/ecs-event-store-prod-deployer';
    expect(bySid.PutOnlyByTheAppendRoles.Condition.ArnNotEquals).toEqual({ 'aws:PrincipalArn': repair });
    expect(bySid.RepairOnlyUnderItsKeys.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': repair },
      'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': forbiddenKeyPatterns('repair') },
    });
    expect(bySid.RepairEndsAtItsExpiry.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': repair },
      DateGreaterThan: { 'aws:CurrentTime': '2026-12-08T18:00:00Z' },
    });
    expect(bySid.ControlPlaneOnlyByTheDeploymentRole).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': deployer } },
    });
    expect(bySid.ControlPlaneOnlyByTheDeploymentRole.Action).toEqual(
      expect.arrayContaining(
        [
          'PutResourcePolicy',
          'DeleteResourcePolicy',
          'UpdateTable',
          'UpdateTimeToLive',
          'UpdateContinuousBackups',
          'ExportTableToPointInTime',
          'DeleteTable',
          'UpdateKinesisStreamingDestination',
          'DisableKinesisStreamingDestination',
        ].map((a) => `dynamodb:${a}`),
      ),
    );
    // The tamper queue, which holds the only copy of old images: the same.
    expect(custom.Resources.LogTamperQueuePolicy?.Properties).toEqual({
      Queues: [ref('LogTamperQueue')],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ControlPlaneOnlyByTheDeploymentRole',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: [
              'sqs:PurgeQueue',
              'sqs:DeleteQueue',
              'sqs:SetQueueAttributes',
              'sqs:AddPermission',
              'sqs:RemovePermission',
            ],
            Resource: getAtt('LogTamperQueue'),
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': deployer } },
          },
        ],
      },
    });
  });

  it('gives the latest-state tables recovery, KMS, on-demand billing and the expiresAt TTL', () => {
    for (const kind of ['taskState', 'instanceState'] as const) {
      const t = table(template, kind);
      // Derived data: dropped with the stack, but kept when a new suffix replaces it (blue/green).
      expect(t.DeletionPolicy).toBe('Delete');
      expect(t.UpdateReplacePolicy).toBe('Retain');
      expect(t.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
      expect(t.Properties.GlobalSecondaryIndexes.map((i: Json) => i.IndexName)).toEqual(['byClusterPhase']);
    }
  });
});
