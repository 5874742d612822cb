// The pure parts of the whole-organization setup: which clusters a query reads (--cluster, --account,
// --region) and the StackSets commands `ecs-events stackset` prints. No DynamoDB, no AWS.
import { describe, expect, it } from 'vitest';
import { parseClusterScope, resolveClusters } from '../cli/clusterScope.js';
import { UsageError } from '../cli/command.js';
import { stackSetCommands } from '../cli/commands/stackset.js';
import { type ClusterFilter, clusterArnPart, clusterMatches } from '../domain/clusterScope.js';

const KNOWN = [
  'arn:aws:ecs:eu-west-1:111111111111:cluster/prod',
  'arn:aws:ecs:us-east-1:111111111111:cluster/prod',
  'arn:aws:ecs:us-east-1:222222222222:cluster/prod',
  'arn:aws:ecs:us-east-1:222222222222:cluster/batch',
];
/** What infra/stateQueries.ts clusterArnsWhere does, on a list. */
const known = async (filter: ClusterFilter) => KNOWN.filter((arn) => clusterMatches(arn, filter)).sort();

describe('cluster scope', () => {
  it('matches cluster ARNs by name, account and region, and filters a Scan by the narrowest part', () => {
    const arn = 'arn:aws:ecs:eu-west-1:111111111111:cluster/prod';
    expect(clusterMatches(arn, {})).toBe(true);
    expect(clusterMatches(arn, { name: 'prod', account: '111111111111', region: 'eu-west-1' })).toBe(true);
    expect(clusterMatches(arn, { name: 'pro' })).toBe(false);
    expect(clusterMatches(arn, { region: 'us-east-1' })).toBe(false);
    expect(clusterMatches('arn:aws:ecs:eu-west-1:111111111111:task/prod/abc', {})).toBe(false);
    for (const filter of [
      { name: 'prod' },
      { name: 'prod', account: '111111111111' },
      { account: '111111111111', region: 'eu-west-1' },
      { account: '111111111111' },
      { region: 'eu-west-1' },
      {},
    ]) {
      expect(arn).toContain(clusterArnPart(filter));
    }
  });

  it('resolves an ARN as given, a name to exactly one cluster, an account or region to all of theirs', async () => {
    const resolve = (values: Record<string, string>) => resolveClusters(parseClusterScope(values), known);
    expect(await resolve({ cluster: 'arn:aws:ecs:ap-south-1:333333333333:cluster/x' })).toEqual([
      'arn:aws:ecs:ap-south-1:333333333333:cluster/x',
    ]);
    expect(await resolve({ cluster: 'batch' })).toEqual(['arn:aws:ecs:us-east-1:222222222222:cluster/batch']);
    expect(await resolve({ cluster: 'prod', account: '111111111111', region: 'us-east-1' })).toEqual([KNOWN[1]]);
    expect(await resolve({ account: '222222222222' })).toEqual([KNOWN[3], KNOWN[2]]);
    expect(await resolve({ region: 'us-east-1' })).toHaveLength(3);
    expect(await resolve({ region: 'sa-east-1' })).toEqual([]);

    await expect(resolve({ cluster: 'prod' })).rejects.toThrow(
      `--cluster prod is ambiguous; give one of these ARNs (or narrow with --account / --region): ${[KNOWN[0], KNOWN[1], KNOWN[2]].join(', ')}`,
    );
    await expect(resolve({ cluster: 'prod', region: 'us-east-1' })).rejects.toThrow(/ambiguous in region us-east-1/);
    await expect(resolve({ cluster: 'prod', account: '333333333333' })).rejects.toThrow(
      /no cluster of that name in account 333333333333/,
    );
    await expect(resolve({ cluster: KNOWN[0] as string, account: '222222222222' })).rejects.toThrow(
      /it contradicts --account 222222222222/,
    );
  });

  it('refuses a call that names no cluster, and malformed accounts and regions, before any read', () => {
    expect(() => parseClusterScope({})).toThrow(UsageError);
    expect(() => parseClusterScope({ account: '12345' })).toThrow(/12-digit/);
    expect(() => parseClusterScope({ region: 'Europe' })).toThrow(/region name/);
    expect(() => parseClusterScope({ cluster: 'has space' })).toThrow(UsageError);
  });
});

describe('ecs-events stackset', () => {
  const plan = {
    centralEventBusArn: 'arn:aws:events:eu-west-1:999988887777:event-bus/ecs-event-store-prod',
    targets: ['ou-ab12-cdef3456', 'ou-ab12-7890abcd'],
    regions: ['eu-west-1', 'us-east-1'],
    stackSetName: 'ecs-event-store-forwarder',
    delegatedAdmin: true,
    templatePath: 'deploy/member-forwarder.yml',
  };

  it('prints a service-managed, auto-deployed StackSet of the member template for the OUs and regions', () => {
    const text = stackSetCommands(plan).join('\n');
    expect(text).toContain('aws cloudformation create-stack-set --region eu-west-1');
    expect(text).toContain('--template-body file://deploy/member-forwarder.yml');
    expect(text).toContain('--permission-model SERVICE_MANAGED');
    expect(text).toContain('--auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false');
    expect(text).toContain('--capabilities CAPABILITY_IAM');
    expect(text).toContain(`ParameterKey=CentralEventBusArn,ParameterValue=${plan.centralEventBusArn}`);
    expect(text).toContain('--deployment-targets OrganizationalUnitIds=ou-ab12-cdef3456,ou-ab12-7890abcd');
    expect(text).toContain('--regions eu-west-1 us-east-1');
    expect(text.match(/--call-as DELEGATED_ADMIN/g)).toHaveLength(4);
    // The plain stack for an account the StackSet does not reach, once per region.
    expect(text.match(/aws cloudformation deploy --region/g)).toHaveLength(2);
  });
});
