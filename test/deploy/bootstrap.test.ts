// The bootstrap stack (`ecs-events bootstrap`): the deployment role, the IAM-call forwarder of a store
// outside us-east-1, cfn-lint on both forms, and the CLI printing exactly what deploy/bootstrap.cjs renders.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import bootstrap from '../../deploy/bootstrap.cjs';
import { runScript } from '../support/packaging.js';
import type { Json } from './template.js';

const work = mkdtempSync(join(tmpdir(), 'ecs-events-bootstrap-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasCfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasCfnLint) console.warn('SKIPPED cfn-lint of the bootstrap templates: `cfn-lint` is not on PATH; CI has it.');

describe('bootstrap template', () => {
  const elsewhere = bootstrap.bootstrapTemplate({ stage: 'prod', storeRegion: 'eu-west-1' });
  const home = bootstrap.bootstrapTemplate({ stage: 'prod', storeRegion: 'us-east-1' });

  it('creates the deployment role, assumable by CloudFormation of this account only, named as the store expects', () => {
    const role = elsewhere.Resources.DeploymentRole as Json;
    expect(role.Properties.RoleName).toBe('ecs-event-store-prod-deployer');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudformation.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect((elsewhere.Outputs as Json).DeploymentRoleArn.Value).toEqual({ 'Fn::GetAtt': ['DeploymentRole', 'Arn'] });
    // IAM's limit on a role's inline policies: 10,240 characters (resolved, without whitespace).
    const resolved = JSON.stringify(role.Properties.Policies[0].PolicyDocument)
      .replaceAll('{"Ref":"AWS::Partition"}', '"aws"')
      .replaceAll('{"Ref":"AWS::Region"}', '"eu-west-1"')
      .replaceAll('{"Ref":"AWS::AccountId"}', '"123456789012"');
    expect(resolved.length).toBeLessThan(10_240);
    // The cold store's resources (coldStore=on) are the deployer's too.
    const sids = role.Properties.Policies[0].PolicyDocument.Statement.map((s: Json) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['ColdStoreBuckets', 'ColdStoreCatalog', 'ColdStoreDelivery']));
    // Its grants are the stage's resources: no action on "*" but those AWS gives no resource for.
    const star = role.Properties.Policies[0].PolicyDocument.Statement.filter((s: Json) => s.Resource === '*');
    expect(star.map((s: Json) => s.Sid).sort()).toEqual(
      [
        'CreateTheAlarmKey',
        'DescribeAlarms',
        'DescribeLogGroups',
        'ReadMappings',
        'StoreStreamMapping',
        'TablesEncryptWithAwsDynamodbKey',
      ].sort(),
    );
  });

  it("forwards IAM's calls on the store's roles from us-east-1 to a store elsewhere; none for a store in us-east-1", () => {
    const rule = elsewhere.Resources.IamCallsForwarder as Json;
    expect(rule.Condition).toBe('InUsEast1');
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.iam'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        requestParameters: {
          roleName: ['ingest', 'projector', 'reconciler', 'deployer'].map((r) => `ecs-event-store-prod-${r}`),
        },
      },
    });
    expect(JSON.stringify(rule.Properties.Targets[0].Arn)).toContain('eu-west-1');
    expect(home.Resources.IamCallsForwarder).toBeUndefined();
    expect(Object.keys(home.Resources)).toEqual(['DeploymentRole']);
  });

  it.skipIf(!hasCfnLint)('passes cfn-lint with zero errors, in both forms', () => {
    const files = [elsewhere, home].map((t, i) => {
      const file = join(work, `bootstrap-${i}.json`);
      writeFileSync(file, JSON.stringify(t));
      return file;
    });
    const lint = spawnSync('cfn-lint', ['--format', 'json', ...files], { encoding: 'utf8' });
    const errors = (JSON.parse(lint.stdout || '[]') as Json[]).filter((f) => f.Level === 'Error');
    expect(errors, JSON.stringify(errors, null, 2)).toEqual([]);
  });

  it('is what `ecs-events bootstrap` prints, and the SCP what `--scp` prints', () => {
    const cli = (args: string[]) => runScript(['bin/ecs-events.mjs', 'bootstrap', ...args]);
    const printed = cli(['--stage', 'prod', '--region', 'eu-west-1']);
    expect(printed.status, printed.output).toBe(0);
    expect(JSON.parse(printed.output)).toEqual(elsewhere);
    const scp = cli(['--stage', 'prod', '--scp']);
    expect(JSON.parse(scp.output)).toEqual(bootstrap.storeScp({ stage: 'prod' }));
    const bad = cli(['--region', 'mars']);
    expect(bad.status).toBe(2);
    expect(bad.output).toContain('--region must be a region');
  });
});
