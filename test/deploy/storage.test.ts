// The queues (retention, encryption, which outlive the stack) and the tables (from the table model; the
// log's protection and append-only policy; the latest-state tables' recovery and TTL).
import { beforeAll, describe, expect, it } from 'vitest';
import cfn from '../../deploy/cloudformation.cjs';
import model, { type TableKind } from '../../infra/tables.cjs';
import { type Json, loadTemplates, type Resource, ref, type Template } from './template.js';

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
    const roleArn = (name: string) => ({
      'Fn::Join': ['', ['arn:', ref('AWS::Partition'), ':iam::', ref('AWS::AccountId'), `:role/${name}`]],
    });
    expect(log.Properties.ResourcePolicy.PolicyDocument.Statement).toEqual([
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
        Resource: logArn,
      },
      // PutItem too, to everyone but the append roles: an unconditional put would overwrite an event.
      {
        Sid: 'PutOnlyByTheAppendRoles',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'dynamodb:PutItem',
        Resource: logArn,
        Condition: {
          ArnNotEquals: {
            'aws:PrincipalArn': [
              roleArn('ecs-event-store-dev-ingest'),
              roleArn('ecs-event-store-dev-reconciler'),
              roleArn('ecs-event-store-dev-projector'),
            ],
          },
        },
      },
    ]);
    // The names in the policy are the roles' own fixed names (the ARN is constructed: no cycle).
    expect(R.IngestRole?.Properties).toMatchObject({ RoleName: 'ecs-event-store-dev-ingest', Path: '/' });
    expect(R.ProjectorRole?.Properties).toMatchObject({ RoleName: 'ecs-event-store-dev-projector', Path: '/' });
    expect(JSON.stringify(log)).not.toContain('Fn::GetAtt');
    // The break-glass parameter adds one principal to the exceptions, and only there.
    const put = custom.Resources.EventLogTable?.Properties.ResourcePolicy.PolicyDocument.Statement[1];
    expect(put.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([
      roleArn('ecs-event-store-prod-ingest'),
      roleArn('ecs-event-store-prod-reconciler'),
      roleArn('ecs-event-store-prod-projector'),
      'arn:aws:iam::123456789012:role/ops/log-repair',
    ]);
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
