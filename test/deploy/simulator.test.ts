// An IAM policy simulator (@cloud-copilot/iam-simulate, a third-party evaluator of identity, resource
// and service control policies) over the packaged template: each principal × action × resource, with
// the decision expected of it. The principal context keys (aws:PrincipalArn, aws:userid,
// aws:PrincipalAccount) are set here: the simulator does not fill them in. What it cannot model
// (deletion protection, the account root's own exception on DynamoDB resource policies, SCPs it is not
// given) is in docs/guarantees.md "What the simulator shows".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import bootstrap from '../../deploy/bootstrap.cjs';
import { KEY_SUFFIXES, type LogWriter } from '../../domain/keySuffixes.cjs';
import { type Json, loadTemplates, type Template } from './template.js';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '999999999999';
const REGION = 'eu-west-1';
const STAGE = 'prod';
const PREFIX = `ecs-event-store-${STAGE}`;
const LOG = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/ECSEventLog-${STAGE}`;
const TAMPER_QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:${PREFIX}-log-tampered`;
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/${PREFIX}-deployer`;
const REPAIR = `arn:aws:iam::${ACCOUNT}:role/ops/log-repair`;
/** The custom template's logRepairExpiresAt, and a time on each side of it. */
const BEFORE_EXPIRY = '2026-12-08T17:59:59Z';
const AFTER_EXPIRY = '2026-12-08T18:00:01Z';
const FUNCTIONS = ['ingest', 'projector', 'reconciler'] as const;
type Fn = (typeof FUNCTIONS)[number];
/** The unique id IAM gave each role (what a stack update would read through Fn::GetAtt RoleId). */
const roleId = (logicalId: string) =>
  `AROA${logicalId
    .toUpperCase()
    .replace(/[^A-Z]/g, '')
    .slice(0, 17)}`;

/** The template's intrinsics, as CloudFormation would resolve them in this account and region. */
function resolver(template: Template, region = REGION) {
  const R = template.Resources;
  const arnOf = (id: string, attribute: string): string => {
    const r = R[id];
    if (!r) throw new Error(`no resource ${id}`);
    const p = r.Properties;
    if (attribute === 'RoleId') return roleId(id);
    switch (r.Type) {
      case 'AWS::DynamoDB::Table': {
        const table = `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${p.TableName}`;
        return attribute === 'StreamArn' ? `${table}/stream/2026-12-01T00:00:00.000` : table;
      }
      case 'AWS::SQS::Queue':
        return attribute === 'QueueName' ? p.QueueName : `arn:aws:sqs:${region}:${ACCOUNT}:${p.QueueName}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${ACCOUNT}:log-group:${p.LogGroupName}:*`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${p.RoleName}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${region}:${ACCOUNT}:key/0000-${id}`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${region}:${ACCOUNT}:event-bus/${p.Name}`;
      default:
        throw new Error(`no ARN for ${id} (${r.Type})`);
    }
  };
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': ACCOUNT,
  };
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) {
      const name = value.Ref as string;
      if (name in pseudo) return pseudo[name];
      const r = R[name];
      if (r?.Type === 'AWS::IAM::Role') return r.Properties.RoleName;
      if (r?.Type === 'AWS::SQS::Queue')
        return `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${r.Properties.QueueName}`;
      return `ref-${name}`;
    }
    if ('Fn::GetAtt' in value) return arnOf(value['Fn::GetAtt'][0], value['Fn::GetAtt'][1]);
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'];
      return (resolve(parts) as string[]).join(separator);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}

interface Principal {
  label: string;
  arn: string;
  /** aws:PrincipalArn: the role's ARN for a role session. */
  principalArn: string;
  userid: string;
  account: string;
  identity: Json[];
}

interface Case {
  principal: Principal;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  expected: 'Allowed' | 'Denied';
  why: string;
}

const FULL_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const session = (roleArn: string, sessionName: string) =>
  `${roleArn.replace(':iam::', ':sts::').replace(/:role\/(?:.*\/)?/, ':assumed-role/')}/${sessionName}`;

async function decide(c: Case, resourcePolicy: Json | undefined, scp?: Json): Promise<'Allowed' | 'Denied' | string> {
  const simulation: Simulation = {
    identityPolicies: c.principal.identity.map((policy, i) => ({ name: `p${i}`, policy })),
    serviceControlPolicies: scp
      ? [
          {
            orgIdentifier: c.principal.account,
            policies: [
              { name: 'FullAWSAccess', policy: FULL_ACCESS },
              { name: 'EcsEventStore', policy: scp },
            ],
          },
        ]
      : [],
    resourceControlPolicies: [],
    ...(resourcePolicy && { resourcePolicy }),
    request: {
      principal: c.principal.arn,
      action: c.action,
      resource: { resource: c.resource, accountId: ACCOUNT },
      contextVariables: {
        'aws:PrincipalArn': c.principal.principalArn,
        'aws:PrincipalAccount': c.principal.account,
        'aws:userid': c.principal.userid,
        'aws:CurrentTime': BEFORE_EXPIRY,
        ...c.context,
      },
    },
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') return `error: ${JSON.stringify(result.errors).slice(0, 300)}`;
  return result.overallResult === 'Allowed' ? 'Allowed' : 'Denied';
}

let custom: Template;
let plain: Template;
let organization: Template;
/** provider.iam of each packaged service, as osls resolved it. */
let providerIam: { custom: Json; plain: Json };
/** What `npm run package` printed for each. */
let printed: { custom: string; plain: string };
const tally = { requests: 0, allowed: 0, denied: 0 };

beforeAll(async () => {
  const templates = await loadTemplates();
  ({ custom, template: plain, organization } = templates);
  const state = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8')).service.provider.iam ?? {};
  providerIam = { custom: state(templates.packaged.custom.dir), plain: state(templates.packaged.default.dir) };
  printed = { custom: templates.packaged.custom.output, plain: templates.packaged.default.output };
});

/** The stack's principals, the deployer, the repair role, and the three who must be refused. */
function principals(template: Template, region = REGION) {
  const resolve = resolver(template, region);
  const R = template.Resources;
  const policiesOf = (roleLogicalId: string) =>
    Object.values(R)
      .filter((r) => r.Type === 'AWS::IAM::RolePolicy' && r.Properties.RoleName.Ref === roleLogicalId)
      .map((r) => resolve(r.Properties.PolicyDocument));
  const stage = R.EventLogTable?.Properties.TableName.replace('ECSEventLog-', '');
  const prefix = `ecs-event-store-${stage}`;
  const role = (fn: Fn): Principal => {
    const id = `${fn[0]?.toUpperCase()}${fn.slice(1)}Role`;
    const arn = `arn:aws:iam::${ACCOUNT}:role/${prefix}-${fn}`;
    return {
      label: fn,
      arn: session(arn, `${prefix}-${fn}`),
      principalArn: arn,
      userid: `${roleId(id)}:${prefix}-${fn}`,
      account: ACCOUNT,
      identity: policiesOf(id),
    };
  };
  const deployerTemplate = bootstrap.bootstrapTemplate({ stage, storeRegion: region });
  const deployerPolicy = resolver(
    deployerTemplate as unknown as Template,
    region,
  )((deployerTemplate.Resources.DeploymentRole as Json).Properties.Policies[0].PolicyDocument);
  const ingest = role('ingest');
  return {
    ingest,
    projector: role('projector'),
    reconciler: role('reconciler'),
    // Deleted and re-created under the ingest role's name, with the same policies: another unique id.
    impostor: { ...ingest, label: 'same-name impostor of ingest', userid: `AROAIMPOSTOR00000001:${prefix}-ingest` },
    admin: {
      label: 'administrator',
      arn: session(`arn:aws:iam::${ACCOUNT}:role/Admin`, 'alice'),
      principalArn: `arn:aws:iam::${ACCOUNT}:role/Admin`,
      userid: 'AROAADMINISTRATOR001:alice',
      account: ACCOUNT,
      identity: [FULL_ACCESS],
    },
    crossAccount: {
      label: 'cross-account administrator',
      arn: session(`arn:aws:iam::${OTHER_ACCOUNT}:role/Admin`, 'mallory'),
      principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/Admin`,
      userid: 'AROACROSSACCOUNT0001:mallory',
      account: OTHER_ACCOUNT,
      identity: [FULL_ACCESS],
    },
    deployer: {
      label: 'deployment role',
      arn: session(`arn:aws:iam::${ACCOUNT}:role/${prefix}-deployer`, 'AWSCloudFormation'),
      principalArn: `arn:aws:iam::${ACCOUNT}:role/${prefix}-deployer`,
      userid: 'AROADEPLOYMENTROLE01:AWSCloudFormation',
      account: ACCOUNT,
      identity: [deployerPolicy],
    },
    repair: {
      label: 'repair principal',
      arn: session(REPAIR, 'operator'),
      principalArn: REPAIR,
      userid: 'AROAREPAIRPRINCIPAL1:operator',
      account: ACCOUNT,
      identity: [
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: LOG }] },
      ],
    },
  } satisfies Record<string, Principal>;
}

const logPolicy = (template: Template) =>
  resolver(template)(template.Resources.EventLogTable?.Properties.ResourcePolicy.PolicyDocument);
const queuePolicy = (template: Template) => {
  const policy = template.Resources.LogTamperQueuePolicy;
  return policy && resolver(template)(policy.Properties.PolicyDocument);
};

/** Runs the cases, counts them, and returns every mismatch (none expected). */
async function mismatches(cases: Case[], resourcePolicyOf: (c: Case) => Json | undefined, scp?: Json) {
  const wrong: string[] = [];
  for (const c of cases) {
    const got = await decide(c, resourcePolicyOf(c), scp);
    tally.requests++;
    if (got === 'Allowed') tally.allowed++;
    else tally.denied++;
    if (got !== c.expected) {
      wrong.push(
        `${c.principal.label} ${c.action} ${JSON.stringify(c.context ?? {})}: ${got}, expected ${c.expected} (${c.why})`,
      );
    }
  }
  return wrong;
}

const LOG_CHANGES = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];
const LOG_CONTROL_PLANE = [
  'dynamodb:PutResourcePolicy',
  'dynamodb:DeleteResourcePolicy',
  'dynamodb:UpdateTable',
  'dynamodb:UpdateTimeToLive',
  'dynamodb:UpdateContinuousBackups',
  'dynamodb:ExportTableToPointInTime',
  'dynamodb:DeleteTable',
  'dynamodb:UpdateKinesisStreamingDestination',
  'dynamodb:DisableKinesisStreamingDestination',
];
const QUEUE_CONTROL_PLANE = ['sqs:PurgeQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes'];

describe('the deployment role', () => {
  it('is the role osls deploys through and the one the policies exempt: one setting', () => {
    expect(providerIam.custom).toEqual({ deploymentRole: DEPLOYER });
    const exempted = (t: Template) =>
      JSON.stringify([
        t.Resources.EventLogTable?.Properties.ResourcePolicy.PolicyDocument.Statement.find(
          (s: Json) => s.Sid === 'ControlPlaneOnlyByTheDeploymentRole',
        )?.Condition,
        t.Resources.LogTamperQueuePolicy?.Properties.PolicyDocument.Statement[0].Condition,
      ]);
    const condition = { ArnNotEquals: { 'aws:PrincipalArn': DEPLOYER } };
    expect(exempted(custom)).toBe(JSON.stringify([condition, condition]));
    // Unset: no deployment role, no control-plane deny (and the deploy warns, below).
    expect(providerIam.plain.deploymentRole).toBeUndefined();
    expect(exempted(plain)).toBe(JSON.stringify([undefined, undefined]));
  });

  it('is asked for by a deploy without it: the lock is a tripwire, and how to set it', () => {
    expect(printed.plain).toContain(
      'WARNING: deploymentRoleArn is not set: the event log is a tripwire, not a barrier.',
    );
    expect(printed.plain).toContain('npx ecs-events bootstrap --stage <stage>');
    expect(printed.custom).not.toContain('deploymentRoleArn is not set');
  });
});

describe('IAM simulator over the packaged template', () => {
  it('lets each append role PutItem only under the keys the suffix-writer map gives it; nobody else, impostors included', async () => {
    const P = principals(custom);
    const cases: Case[] = [];
    const key = (suffix: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/0123456789abcdef${suffix}`;
    for (const [name, { suffix, writers }] of Object.entries(KEY_SUFFIXES)) {
      const put = (principal: Principal, expected: Case['expected'], why: string, time = BEFORE_EXPIRY) =>
        cases.push({
          principal,
          action: 'dynamodb:PutItem',
          resource: LOG,
          context: { 'dynamodb:LeadingKeys': [key(suffix)], 'aws:CurrentTime': time },
          expected,
          why: `${name}: ${why}`,
        });
      for (const fn of FUNCTIONS) {
        const writes = (writers as readonly string[]).includes(fn as LogWriter);
        put(P[fn], writes ? 'Allowed' : 'Denied', writes ? 'its writer' : 'not its writer');
      }
      const repairs = (writers as readonly string[]).includes('repair');
      put(P.repair, repairs ? 'Allowed' : 'Denied', repairs ? 'a repair key, before expiry' : 'not a repair key');
      put(P.repair, 'Denied', 'after the expiry', AFTER_EXPIRY);
      put(P.impostor, 'Denied', 'same name, another role id');
      put(P.admin, 'Denied', 'administrators are not append roles');
      put(P.deployer, 'Denied', 'the deployer deploys, never appends');
      put(P.crossAccount, 'Denied', 'no grant to another account');
    }
    const wrong = await mismatches(cases, () => logPolicy(custom));
    expect(wrong).toEqual([]);
    // Each writer was let through at least once, and refused at least once.
    expect(cases.filter((c) => c.expected === 'Allowed').length).toBeGreaterThanOrEqual(8);
  });

  it('denies every change of a logged item to everyone', async () => {
    const P = principals(custom);
    const cases: Case[] = [];
    for (const action of LOG_CHANGES) {
      for (const principal of Object.values(P)) {
        cases.push({
          principal,
          action,
          resource: LOG,
          context: { 'dynamodb:LeadingKeys': [`arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/abc`] },
          expected: 'Denied',
          why: 'append-only',
        });
      }
    }
    expect(await mismatches(cases, () => logPolicy(custom))).toEqual([]);
  });

  it("denies the log's and the tamper queue's control plane to all but the deployment role", async () => {
    const P = principals(custom);
    const cases: Case[] = [];
    for (const [actions, resource] of [
      [LOG_CONTROL_PLANE, LOG],
      [QUEUE_CONTROL_PLANE, TAMPER_QUEUE],
    ] as const) {
      for (const action of actions) {
        for (const principal of Object.values(P)) {
          const deployer = principal === P.deployer;
          cases.push({
            principal,
            action,
            resource,
            expected: deployer ? 'Allowed' : 'Denied',
            why: deployer ? "the stack's execution role" : 'only the deployment role',
          });
        }
      }
    }
    // The queue still takes what the projector keeps.
    cases.push({
      principal: P.projector,
      action: 'sqs:SendMessage',
      resource: TAMPER_QUEUE,
      expected: 'Allowed',
      why: 'the projector keeps old images',
    });
    const wrong = await mismatches(cases, (c) => (c.resource === LOG ? logPolicy(custom) : queuePolicy(custom)));
    expect(wrong).toEqual([]);
  });

  it('without deploymentRoleArn an administrator can still lift the lock: a tripwire (StoreChanged), not a barrier', async () => {
    const P = principals(plain, 'us-east-1');
    const log = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/ECSEventLog-dev`;
    const cases: Case[] = LOG_CONTROL_PLANE.map((action) => ({
      principal: P.admin,
      action,
      resource: log,
      expected: 'Allowed',
      why: 'no control-plane deny without a deployment role',
    }));
    cases.push({
      principal: P.impostor,
      action: 'dynamodb:PutItem',
      resource: log,
      context: { 'dynamodb:LeadingKeys': [`arn:aws:ecs:us-east-1:${ACCOUNT}:task/dev/abc`] },
      expected: 'Denied',
      why: 'pinned by role id either way',
    });
    expect(plain.Resources.LogTamperQueuePolicy).toBeUndefined();
    expect(
      await mismatches(cases, () =>
        resolver(plain, 'us-east-1')(plain.Resources.EventLogTable?.Properties.ResourcePolicy.PolicyDocument),
      ),
    ).toEqual([]);
  });

  it('the shipped SCP, as a policy document: closes the root, the trust-policy edit, credentials used outside their function, the detection path', async () => {
    const P = principals(custom);
    const scp = bootstrap.storeScp({ stage: STAGE });
    // An SCP holds 5,120 characters: so does the longest stage's (16 characters).
    expect(JSON.stringify(scp).length).toBeLessThanOrEqual(5120);
    expect(JSON.stringify(bootstrap.storeScp({ stage: 'a'.repeat(16) })).length).toBeLessThanOrEqual(5120);
    const root: Principal = {
      label: 'account root',
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      principalArn: `arn:aws:iam::${ACCOUNT}:root`,
      userid: ACCOUNT,
      account: ACCOUNT,
      identity: [],
    };
    const ingestRole = `arn:aws:iam::${ACCOUNT}:role/${PREFIX}-ingest`;
    const projectorFunction = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PREFIX}-projector`;
    const ingestFunction = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PREFIX}-ingest`;
    const ingestRule = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${PREFIX}-ecs-events`;
    const plainKey = { 'dynamodb:LeadingKeys': [`arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/abc`] };
    // The ingest role's trust policy as an administrator would edit it: assumable by the account.
    const editedTrust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
    };
    type Pair = Case & { withoutScp: Case['expected']; policy?: Json };
    const pairs: Pair[] = [
      // DynamoDB lets the root delete a table's policy whatever it says (the simulator does not model
      // that exception: without the SCP it shows the policy's deny). The SCP binds a member account's root.
      {
        principal: root,
        action: 'dynamodb:DeleteResourcePolicy',
        resource: LOG,
        expected: 'Denied',
        withoutScp: 'Denied',
        why: 'root: SCP',
        policy: logPolicy(custom),
      },
      {
        principal: P.admin,
        action: 'iam:UpdateAssumeRolePolicy',
        resource: ingestRole,
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: 'the trust-policy edit',
      },
      {
        principal: P.admin,
        action: 'sts:AssumeRole',
        resource: ingestRole,
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: 'assuming an edited function role',
        policy: editedTrust,
      },
      {
        principal: P.admin,
        action: 'iam:DeleteRole',
        resource: ingestRole,
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: 'the same-name re-creation starts here',
      },
      // The role's own credentials, outside its function (no lambda:SourceFunctionArn) or in another one.
      {
        principal: P.ingest,
        action: 'dynamodb:PutItem',
        resource: LOG,
        context: plainKey,
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: 'credentials outside Lambda',
        policy: logPolicy(custom),
      },
      {
        principal: P.ingest,
        action: 'dynamodb:PutItem',
        resource: LOG,
        context: { ...plainKey, 'lambda:SourceFunctionArn': `arn:aws:lambda:${REGION}:${ACCOUNT}:function:other-app` },
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: "in a function that is not the store's",
        policy: logPolicy(custom),
      },
      {
        principal: P.ingest,
        action: 'dynamodb:PutItem',
        resource: LOG,
        context: { ...plainKey, 'lambda:SourceFunctionArn': ingestFunction },
        expected: 'Allowed',
        withoutScp: 'Allowed',
        why: 'its own function',
        policy: logPolicy(custom),
      },
      // The detection path, which no resource policy of these services can deny.
      {
        principal: P.admin,
        action: 'lambda:UpdateFunctionCode',
        resource: projectorFunction,
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: 'the projector',
      },
      {
        principal: P.admin,
        action: 'lambda:PutFunctionConcurrency',
        resource: ingestFunction,
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: 'zeroing ingest',
      },
      {
        principal: P.admin,
        action: 'lambda:DeleteEventSourceMapping',
        resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:0b0e8f60-0000-4000-8000-000000000000`,
        context: { 'lambda:FunctionArn': projectorFunction },
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: "the projector's mapping",
      },
      {
        principal: P.admin,
        action: 'events:DisableRule',
        resource: ingestRule,
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: 'the ingest rule',
      },
      {
        principal: P.admin,
        action: 'events:RemoveTargets',
        resource: ingestRule,
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: 'the ingest rule',
      },
      {
        principal: P.admin,
        action: 'cloudwatch:DeleteAlarms',
        resource: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${PREFIX}-log-tampered`,
        expected: 'Denied',
        withoutScp: 'Allowed',
        why: 'LogTampered',
      },
      // The deployment role keeps its work.
      {
        principal: P.deployer,
        action: 'lambda:UpdateFunctionCode',
        resource: projectorFunction,
        expected: 'Allowed',
        withoutScp: 'Allowed',
        why: 'deploys',
      },
      {
        principal: P.deployer,
        action: 'dynamodb:PutResourcePolicy',
        resource: LOG,
        expected: 'Allowed',
        withoutScp: 'Allowed',
        why: 'deploys',
        policy: logPolicy(custom),
      },
      {
        principal: P.deployer,
        action: 'events:PutTargets',
        resource: ingestRule,
        expected: 'Allowed',
        withoutScp: 'Allowed',
        why: 'deploys',
      },
    ];
    const withScp = await mismatches(pairs, (c) => (c as Pair).policy, scp);
    const without = await mismatches(
      pairs.map((c) => ({ ...c, expected: c.withoutScp })),
      (c) => (c as Pair).policy,
    );
    expect({ withScp, without }).toEqual({ withScp: [], without: [] });
  });

  it("admits onto the organization's bus only ECS events and calls of the organization and member accounts; an absent key is no pass", async () => {
    const bus = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${PREFIX}`;
    const policy = resolver(organization, 'us-east-1')(organization.Resources.CentralEventBus?.Properties.Policy);
    const caller = (account: string, orgId?: string): Principal => ({
      label: `account ${account}${orgId ? ` of ${orgId}` : ''}`,
      arn: session(`arn:aws:iam::${account}:role/ecs-event-store-forwarder`, 'events'),
      principalArn: `arn:aws:iam::${account}:role/ecs-event-store-forwarder`,
      userid: `AROAFORWARDER${account.slice(0, 7)}:events`,
      account,
      identity: [FULL_ACCESS],
    });
    const inOrg = caller('777777777777', 'o-a1b2c3d4e5');
    const member = caller('444455556666');
    const outsider = caller(OTHER_ACCOUNT);
    const org = { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' };
    const ecs = { 'events:source': ['aws.ecs'], 'events:detail-type': ['ECS Task State Change'] };
    const call = { 'events:source': ['aws.ecs'], 'events:detail-type': ['AWS API Call via CloudTrail'] };
    const put = (
      principal: Principal,
      context: Record<string, string | string[]>,
      expected: Case['expected'],
      why: string,
    ): Case => ({
      principal,
      action: 'events:PutEvents',
      resource: bus,
      context,
      expected,
      why,
    });
    const cases = [
      put(inOrg, { ...org, ...ecs }, 'Allowed', 'an ECS event of the organization'),
      put(inOrg, { ...org, ...call }, 'Allowed', 'an ECS call of the organization'),
      put(inOrg, { ...org }, 'Denied', 'no source, no detail-type: the Null checks'),
      put(inOrg, { ...org, 'events:source': ['aws.ecs'] }, 'Denied', 'no detail-type'),
      put(inOrg, { ...org, ...ecs, 'events:source': ['aws.ec2'] }, 'Denied', 'another source'),
      put(member, ecs, 'Allowed', 'a listed account'),
      put(member, {}, 'Denied', 'a listed account, no keys'),
      put(outsider, ecs, 'Denied', 'neither in the organization nor listed'),
    ];
    expect(await mismatches(cases, () => policy)).toEqual([]);
  });

  it('ran over a hundred requests, with both decisions', () => {
    // The counts docs/guarantees.md quotes ("What the simulator shows").
    console.log(`IAM simulator: ${tally.requests} requests, ${tally.allowed} Allowed, ${tally.denied} Denied`);
    expect(tally.requests).toBeGreaterThan(100);
    expect(tally.allowed).toBeGreaterThan(10);
    expect(tally.denied).toBeGreaterThan(tally.allowed);
  });
});
