import bootstrapModel from '../../deploy/bootstrap.cjs';
import { REGION } from '../../domain/arn.js';
import { type Command, UsageError } from '../command.js';
import { DEFAULT_STAGE, stageNames } from '../stageNames.js';

const command: Command = {
  summary: "print the bootstrap stack's template (the deployment role) or the store's SCP",
  // It prints: no AWS call.
  uses: [],
  about: `Prints (runs nothing) the CloudFormation template of a stage's bootstrap stack, to deploy once,
before the store, by an administrator: the stack's CloudFormation execution role
<service>-<stage>-deployer (its output DeploymentRoleArn is the deploy parameter deploymentRoleArn:
with it, the log's and the tamper queue's policies deny their control plane to every other principal),
and, for a store outside us-east-1, the rule forwarding IAM's calls on the store's roles from
us-east-1 (the only region where they reach EventBridge) to the store's default bus. Deploy it in
us-east-1:
  npx ecs-events bootstrap --stage prod --region eu-west-1 > bootstrap.json
  aws cloudformation deploy --region us-east-1 --stack-name ecs-event-store-prod-bootstrap \\
    --template-file bootstrap.json --capabilities CAPABILITY_NAMED_IAM
With --scp, prints the organization SCP that closes what no resource policy can (the account root,
the store's roles, the detection path): docs/guarantees.md. Guide: docs/deploy.md.`,
  options: {
    stage: { type: 'string', value: 'S', default: DEFAULT_STAGE, help: 'the stage the store is deployed as' },
    region: {
      type: 'string',
      value: 'R',
      default: 'us-east-1',
      help: "the store stack's region (outside us-east-1: IAM calls are forwarded to it)",
    },
    scp: { type: 'boolean', help: "print the store's organization SCP instead of the template" },
  },
  async run({ values }) {
    const stage = String(values.stage);
    const region = String(values.region);
    if (!REGION.test(region))
      throw new UsageError(`--region must be a region like eu-west-1, got ${JSON.stringify(region)}`);
    // The deploy's own check of the stage (deploy/names.cjs), as a usage error.
    stageNames({ stage });
    const document =
      values.scp === true
        ? bootstrapModel.storeScp({ stage })
        : bootstrapModel.bootstrapTemplate({ stage, storeRegion: region });
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return 0;
  },
};

export default command;
