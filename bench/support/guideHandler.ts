// The AWS guide's function (its TypeScript port, bench/baseline/awsGuideProjector.ts) as a Lambda
// entry point, bundled like ours (scripts/build.mjs) for the whole-bill figures: its init, memory,
// CPU per invocation and output, measured in a fresh process the same way as ours (bench/bundleRun.ts).
// Its prints go to stdout, as Python's `print` does in Lambda.
import type { EcsEvent } from '../../domain/eventTypes.js';
import { createDocumentClient } from '../../infra/client.js';
import { createAwsGuideProjector } from '../baseline/awsGuideProjector.js';

let guide: ((event: EcsEvent) => Promise<void>) | undefined;

export const handler = async (event: EcsEvent): Promise<void> => {
  guide ??= createAwsGuideProjector({
    doc: createDocumentClient(),
    tables: {
      taskState: process.env.TASK_STATE_TABLE ?? 'ECSTaskState',
      instanceState: process.env.INSTANCE_STATE_TABLE ?? 'ECSCtrInstanceState',
    },
    print: (line) => {
      process.stdout.write(`${line}\n`);
    },
  });
  await guide(event);
};
