// The parameters: their effects on the template, and the renderer's validation of each.
import { beforeAll, describe, expect, it } from 'vitest';
import cfn from '../../deploy/cloudformation.cjs';
import type { Run } from '../support/packaging.js';
import { loadTemplates, type Template } from './template.js';

let custom: Template;
let badParameter: Run;

beforeAll(async () => {
  const templates = await loadTemplates();
  custom = templates.custom;
  badParameter = templates.packaged.badParameter;
});

describe('parameters', () => {
  it('turns on the optional log retention: TTL on the log and LOG_RETENTION_DAYS for ingest', () => {
    expect(custom.Resources.EventLogTable?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
    expect(custom.Resources.IngestLambdaFunction?.Properties.Environment.Variables.LOG_RETENTION_DAYS).toBe('400');
    const groups = Object.values(custom.Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    // The four functions' and the cold store's delivery log group.
    expect(groups.map((g) => g.Properties.RetentionInDays)).toEqual([90, 90, 90, 90, 90]);
  });

  it('refuses a bad parameter with a message naming it and the rule', () => {
    expect(badParameter.status).not.toBe(0);
    expect(badParameter.output).toContain('parameter stateTtlDays must be an integer from 0 to');
    expect(badParameter.output).toContain('got "thirty"');
  });

  it('validates every parameter in the renderer', () => {
    const ok = {
      stage: 'dev',
      stateTableSuffix: '',
      stateTtlDays: 30,
      eventLogRetentionDays: 0,
      redactOverrideEnvironment: true,
      logLevel: 'INFO',
      lambdaLogRetentionDays: 30,
      iteratorAgeAlarmSeconds: 300,
      alarmTopicArn: '',
    };
    expect(cfn.deploySettings(ok).tableNames).toEqual({
      eventLog: 'ECSEventLog-dev',
      taskState: 'ECSTaskState-dev',
      instanceState: 'ECSCtrInstanceState-dev',
    });
    const refusals: [Record<string, unknown>, string][] = [
      [{ stateTableSuffix: 'a/b' }, 'parameter stateTableSuffix may hold only letters'],
      [{ stateTtlDays: -1 }, 'parameter stateTtlDays must be an integer'],
      [{ eventLogRetentionDays: '1.5' }, 'parameter eventLogRetentionDays must be an integer'],
      [{ redactOverrideEnvironment: 'maybe' }, 'parameter redactOverrideEnvironment must be true or false'],
      [{ lambdaLogRetentionDays: 31 }, 'parameter lambdaLogRetentionDays must be one of'],
      [{ iteratorAgeAlarmSeconds: 0 }, 'parameter iteratorAgeAlarmSeconds must be an integer from 1'],
      [{ alarmTopicArn: 'ops-alerts' }, 'parameter alarmTopicArn must be an SNS topic ARN'],
      [{ logLevel: 'LOUD' }, 'parameter logLevel must be'],
      [{ stage: 'prod/eu' }, 'stage must be'],
      [{ logRepairPrincipalArn: 'ops' }, 'parameter logRepairPrincipalArn must be an IAM role ARN'],
      // The repair principal's PutItem has an end, always: the expiry is required with it, refused without.
      [
        { logRepairPrincipalArn: 'arn:aws:iam::123456789012:role/ops' },
        'parameter logRepairExpiresAt (required with logRepairPrincipalArn) must be a UTC time',
      ],
      [
        { logRepairPrincipalArn: 'arn:aws:iam::123456789012:role/ops', logRepairExpiresAt: '2026-12-08 18:00' },
        'parameter logRepairExpiresAt (required with logRepairPrincipalArn) must be a UTC time',
      ],
      [
        { logRepairExpiresAt: '2026-12-08T18:00:00Z' },
        'parameter logRepairExpiresAt is only for logRepairPrincipalArn',
      ],
      [{ deploymentRoleArn: 'deployer' }, 'parameter deploymentRoleArn must be an IAM role ARN'],
      [{ service: 'x'.repeat(50) }, 'is longer than 64 characters'],
    ];
    for (const [change, message] of refusals) {
      expect(() => cfn.deploySettings({ ...ok, ...change })).toThrow(message);
    }
  });
});
