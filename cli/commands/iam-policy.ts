import { ACCOUNT, REGION } from '../../domain/arn.js';
import { type Command, UsageError } from '../command.js';
import { POLICY_ROLES, type PolicyRole } from '../iamTargets.js';
import { DEFAULT_STAGE, stageNames } from '../stageNames.js';

const command: Command = {
  summary: 'print the IAM policy (JSON) an operator or a reader needs to run the CLI on a deployment',
  // It prints: no AWS call.
  uses: [],
  about: `Prints the exact IAM identity policy the ecs-events commands need on one deployment, made from
the table model (tables and indexes) and the deploy's names: --role reader for the read-only commands
(queries, report, verify, verify --log, rebuild --dry-run, reconcile --dry-run), --role operator for
those and the ones that write (verify --repair, rebuild, load --function, replay), --role repair
for the break-glass role of the deploy parameter logRepairPrincipalArn (trust-tampered; the copy-back
of a restore needs PutItem on the log besides). Attach it to the role operators assume. Nothing is called: it only prints. Region and account are "*" unless given
(an identity policy grants in its own account only, whatever the ARN says).`,
  options: {
    role: {
      type: 'string',
      value: 'R',
      default: 'operator',
      help: 'operator, reader, or repair (the logRepairPrincipalArn role)',
    },
    stage: {
      type: 'string',
      value: 'S',
      default: DEFAULT_STAGE,
      help: 'the deployment: ECSEventLog-<S>, ecs-event-store-<S>-ingest, ...',
    },
    suffix: {
      type: 'string',
      value: 'SUFFIX',
      joined: true,
      help: 'the stateTableSuffix of the latest-state tables (blue/green), e.g. --suffix=-v2',
    },
    region: { type: 'string', value: 'R', default: '*', help: 'the region of the ARNs' },
    account: { type: 'string', value: 'ID', default: '*', help: 'the 12-digit account id of the ARNs' },
    partition: { type: 'string', value: 'P', default: 'aws', help: 'aws, aws-cn, aws-us-gov' },
    'central-bus': {
      type: 'boolean',
      help: 'the stage was deployed with organizationId or memberAccountIds: its ingest rule\nis on the central bus ecs-event-store-<S>',
    },
  },
  async run({ values }) {
    const role = String(values.role) as PolicyRole;
    if (!POLICY_ROLES.includes(role))
      throw new UsageError(`--role must be operator, reader or repair, got ${JSON.stringify(role)}`);
    const stage = String(values.stage);
    const region = String(values.region);
    const account = String(values.account);
    if (region !== '*' && !REGION.test(region))
      throw new UsageError(`--region must be a region or *, got ${JSON.stringify(region)}`);
    if (account !== '*' && !ACCOUNT.test(account))
      throw new UsageError(`--account must be 12 digits or *, got ${JSON.stringify(account)}`);
    // The deploy's own names of the stage (deploy/names.cjs), checked by its rules.
    const names = stageNames({
      stage,
      stateTableSuffix: (values.suffix as string | undefined) ?? '',
      centralBus: Boolean(values['central-bus']),
    });
    // Loaded here: cli/iamPolicy.ts reads every command's uses from the registry, which imports this file.
    const { iamPolicy } = await import('../iamPolicy.js');
    const policy = iamPolicy(role, {
      partition: String(values.partition),
      region,
      account,
      tables: names.tables,
      ingestFunction: names.functions.ingest,
      archive: names.eventArchive,
      ingestRulePath: names.ingestRuleArnPath,
    });
    process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
    return 0;
  },
};

export default command;
