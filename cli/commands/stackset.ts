import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REGION } from '../../domain/arn.js';
import { type Command, UsageError } from '../command.js';

/** The member template (deploy/member-forwarder.yml) of this checkout or package. */
const MEMBER_TEMPLATE = fileURLToPath(new URL('../../deploy/member-forwarder.yml', import.meta.url));

const BUS_ARN = /^arn:(aws[a-z-]*):events:([a-z0-9-]+):(\d{12}):event-bus\/[A-Za-z0-9._/-]+$/;
/** An organizational unit (ou-xxxx-yyyyyyyy) or the organization's root (r-xxxx). */
const TARGET = /^(?:ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const STACK_SET_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

export interface StackSetPlan {
  readonly centralEventBusArn: string;
  /** OU ids (or the root id) whose accounts get the forwarder, now and when they join (auto-deployment). */
  readonly targets: readonly string[];
  readonly regions: readonly string[];
  readonly stackSetName: string;
  /** Run from a delegated administrator account rather than the management account. */
  readonly delegatedAdmin: boolean;
  /** How the template is named on the printed command lines. */
  readonly templatePath: string;
}

/** `a,b , c` → `['a', 'b', 'c']`, each checked; duplicates dropped, order kept. */
function list(value: unknown, option: string, form: RegExp, example: string): string[] {
  const items = [
    ...new Set(
      String(value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  const bad = items.find((s) => !form.test(s));
  if (items.length === 0 || bad !== undefined) {
    throw new UsageError(
      `${option} must be a comma-separated list like ${example}, got ${JSON.stringify(value ?? '')}`,
    );
  }
  return items;
}

/**
 * The AWS CLI commands that deploy the member template to every account of the OUs, in every region
 * (service-managed StackSets, auto-deployed to accounts that join later), plus the plain stack for an
 * account the StackSet does not reach (the management account, or the central account outside the OUs).
 */
export function stackSetCommands(plan: StackSetPlan): string[] {
  const [, , centralRegion] = BUS_ARN.exec(plan.centralEventBusArn) ?? [];
  const callAs = plan.delegatedAdmin ? ' \\\n  --call-as DELEGATED_ADMIN' : '';
  const name = plan.stackSetName;
  return [
    `# The StackSet, once: from the management account${plan.delegatedAdmin ? ' (here: a delegated administrator)' : ''}, in the central bus's region.`,
    `aws cloudformation create-stack-set --region ${centralRegion} \\`,
    `  --stack-set-name ${name} \\`,
    `  --template-body file://${plan.templatePath} \\`,
    '  --capabilities CAPABILITY_IAM \\',
    '  --permission-model SERVICE_MANAGED \\',
    '  --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false \\',
    `  --parameters ParameterKey=CentralEventBusArn,ParameterValue=${plan.centralEventBusArn}${callAs}`,
    '',
    '# Its stacks: every account of the OUs (and those that join later), in each region.',
    `aws cloudformation create-stack-instances --region ${centralRegion} \\`,
    `  --stack-set-name ${name} \\`,
    `  --deployment-targets OrganizationalUnitIds=${plan.targets.join(',')} \\`,
    `  --regions ${plan.regions.join(' ')} \\`,
    `  --operation-preferences RegionConcurrencyType=PARALLEL,MaxConcurrentPercentage=25,FailureTolerancePercentage=10${callAs}`,
    '',
    '# Progress, then the stacks one by one.',
    `aws cloudformation list-stack-set-operations --region ${centralRegion} --stack-set-name ${name}${plan.delegatedAdmin ? ' --call-as DELEGATED_ADMIN' : ''}`,
    `aws cloudformation list-stack-instances --region ${centralRegion} --stack-set-name ${name}${plan.delegatedAdmin ? ' --call-as DELEGATED_ADMIN' : ''}`,
    '',
    '# An account the StackSet does not reach (the management account; the central account if it is not',
    "# in these OUs): the same template as a plain stack, once per region, with that account's credentials.",
    ...plan.regions.map(
      (region) =>
        `aws cloudformation deploy --region ${region} --stack-name ${name} --template-file ${plan.templatePath} --capabilities CAPABILITY_IAM --parameter-overrides CentralEventBusArn=${plan.centralEventBusArn}`,
    ),
  ];
}

/** The template's path as the printed commands name it: relative to the working directory when inside it. */
function templatePath(cwd: string): string {
  const rel = relative(cwd, MEMBER_TEMPLATE);
  return rel.startsWith('..') || rel.startsWith(sep) ? MEMBER_TEMPLATE : rel;
}

const stackset: Command = {
  summary: 'print the StackSets commands that deploy the member forwarder to OUs and regions',
  // It prints the commands: no AWS call.
  uses: [],
  about: `Prints (runs nothing) the AWS CLI commands that deploy deploy/member-forwarder.yml with
CloudFormation StackSets (service-managed permissions, auto-deployment) to every account of the
given organizational units, in each given region: a rule on each account's default bus forwarding
every ECS event to the central bus, and the role EventBridge needs for it (events:PutEvents on that
bus only). The central bus ARN is the CentralEventBusArn output of the store's stack, deployed with
organizationId and/or memberAccountIds. Guide: docs/organization.md.`,
  options: {
    'central-bus-arn': {
      type: 'string',
      value: 'ARN',
      required: true,
      help: "the store stack's CentralEventBusArn output",
    },
    ou: {
      type: 'string',
      value: 'LIST',
      required: true,
      help: 'organizational unit ids (ou-...), or the root id (r-...), comma-separated',
    },
    regions: { type: 'string', value: 'LIST', required: true, help: 'regions to forward from, comma-separated' },
    'stack-set-name': { type: 'string', value: 'N', default: 'ecs-event-store-forwarder', help: "the StackSet's name" },
    'delegated-admin': {
      type: 'boolean',
      help: 'run from a delegated administrator account (--call-as DELEGATED_ADMIN)',
    },
  },
  async run({ values }) {
    const arn = String(values['central-bus-arn']);
    if (!BUS_ARN.test(arn)) {
      throw new UsageError(
        `--central-bus-arn must be an event bus ARN like arn:aws:events:eu-west-1:111122223333:event-bus/ecs-event-store-prod, got ${JSON.stringify(arn)}`,
      );
    }
    const stackSetName = String(values['stack-set-name']);
    if (!STACK_SET_NAME.test(stackSetName)) {
      throw new UsageError(
        `--stack-set-name must start with a letter and hold letters, digits and -, got ${JSON.stringify(stackSetName)}`,
      );
    }
    const lines = stackSetCommands({
      centralEventBusArn: arn,
      targets: list(values.ou, '--ou', TARGET, 'ou-ab12-cdef3456,ou-ab12-7890abcd'),
      regions: list(values.regions, '--regions', REGION, 'eu-west-1,us-east-1'),
      stackSetName,
      delegatedAdmin: values['delegated-admin'] === true,
      templatePath: templatePath(process.cwd()),
    });
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

export default stackset;
