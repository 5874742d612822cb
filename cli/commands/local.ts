import { appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TamperReport } from '../../domain/tamper.js';
import { awsFailureOf } from '../../infra/awsErrors.js';
import { readConfig } from '../../infra/config.js';
import { parseInteger } from '../args.js';
import { type Command, UsageError } from '../command.js';

const DEFAULT_DATA_DIR = '.ecs-events';

/** The archiver on its own poller (its own checkpoints: the stream's second reader), into `dir`. */
async function startArchiving(
  stack: import('../../local/localStack.js').LocalStack,
  dir: string,
  dataDir: string | undefined,
  say: (line: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const { createArchiver } = await import('../../usecases/exportArchiver.js');
  const { directorySink } = await import('../../usecases/exportLocalSink.js');
  const { FileCheckpointStore, MemoryCheckpointStore } = await import('../../local/streamCheckpoints.js');
  const checkpoints = dataDir
    ? new FileCheckpointStore(join(dataDir, 'archive-stream-checkpoints.json'))
    : new MemoryCheckpointStore();
  const poller = stack.poller({
    handler: createArchiver({ sink: directorySink(resolve(dir)), log: say }),
    checkpoints,
  });
  const running = poller.run(1000).catch((e: unknown) => say(`the archiver stopped: ${(e as Error).message}`));
  say(`Archiver keeping ${resolve(dir)} current (ecs-events sql --dir ${dir} "…").`);
  return {
    async stop() {
      poller.stop();
      await running;
    },
  };
}

const command: Command = {
  summary: 'a long-running local stack: DynamoDB Local, the tables, the projector on the stream',
  // DynamoDB Local, on this machine: no AWS call.
  uses: [],
  about: `Starts DynamoDB Local (Java 17+), creates the three tables with their indexes, runs the stream
poller with the real projector, prints the environment variables to export in another terminal
(then \`ecs-events load\`, \`history\`, \`timeline\`, ... work against it), and runs until Ctrl-C.`,
  options: {
    port: { type: 'string', value: 'N', default: '8000', help: "DynamoDB Local's port" },
    data: {
      type: 'string',
      value: 'DIR',
      help: `keep the tables and the stream checkpoints in DIR (default ${DEFAULT_DATA_DIR}/)`,
    },
    'in-memory': { type: 'boolean', help: 'keep nothing: the data is gone when it stops (not with --data)' },
    archive: {
      type: 'string',
      value: 'DIR',
      help: 'also keep DIR current for `ecs-events sql`: the archiver on the stream writes each batch as Parquet (docs/sql.md)',
    },
  },
  notes: ['Table names follow EVENT_LOG_TABLE, TASK_STATE_TABLE and INSTANCE_STATE_TABLE (defaults ECSEventLog, ...).'],
  async run({ values, context }) {
    if (values.data !== undefined && values['in-memory'])
      throw new UsageError('--data and --in-memory exclude each other');
    const port = parseInteger(values.port, '--port', 1) as number;
    const dataDir = values['in-memory'] ? undefined : resolve((values.data as string | undefined) ?? DEFAULT_DATA_DIR);
    const { tables } = readConfig(context.env);
    const say = (line: string) => process.stderr.write(`${line}\n`);

    say(`Starting DynamoDB Local on port ${port} (${dataDir ? `data in ${dataDir}` : 'in memory'})…`);
    // Java, the SDK and the functions are loaded only now: `local --help` needs none of them.
    const { startLocalStack } = await import('../../local/localStack.js');
    const stack = await startLocalStack({ port, dataDir, tables, env: context.env });
    let projected = 0;
    // The local stand-in for the deployment's tamper queue: each report on stderr and in the data directory.
    const tamperFile = dataDir ? join(dataDir, 'tampered.ndjson') : undefined;
    const poller = stack.poller({
      onBatch: ({ response }) => {
        const r = response as { counts?: { projected?: number }; tampered?: TamperReport[] } | undefined;
        projected += r?.counts?.projected ?? 0;
        for (const t of r?.tampered ?? []) {
          say(
            `log tampering: ${t.change} of ${t.key.arn} v${t.key.version}${tamperFile ? ` (old image in ${tamperFile})` : ''}`,
          );
          if (tamperFile) appendFileSync(tamperFile, `${JSON.stringify(t)}\n`);
        }
      },
    });
    const exports = {
      ...stack.env,
      EVENT_LOG_TABLE: tables.eventLog,
      TASK_STATE_TABLE: tables.taskState,
      INSTANCE_STATE_TABLE: tables.instanceState,
    };
    // The exports alone go to stdout, so they can be copied or captured; everything else is on stderr.
    process.stdout.write(
      `${Object.entries(exports)
        .map(([k, v]) => `export ${k}=${v}`)
        .join('\n')}\n`,
    );
    say(`Tables ${Object.values(tables).join(', ')} ready; projector polling the log's stream.`);
    say('Export the variables above in another terminal, then: npx ecs-events load <file>, history, timeline, …');
    say('Ctrl-C stops (the data stays in the data directory unless --in-memory).');

    const signalled = new Promise<string>((res) => {
      process.once('SIGINT', () => res('SIGINT'));
      process.once('SIGTERM', () => res('SIGTERM'));
    });
    // The stream's second reader, when asked for: the archiver, as in AWS, writing Parquet into --archive DIR.
    const archiving =
      typeof values.archive === 'string' ? await startArchiving(stack, values.archive, dataDir, say) : undefined;
    const running = poller.run(200);
    let failure: unknown;
    const outcome = await Promise.race([
      signalled,
      running.then(
        () => 'stopped',
        (e: unknown) => {
          failure = e;
          return 'failed';
        },
      ),
    ]);
    poller.stop();
    await archiving?.stop();
    // On Ctrl-C the terminal signals DynamoDB Local too, so the poller's last request may fail: that is the shutdown.
    await running.catch(() => {});
    await stack.stop();
    // DynamoDB Local gone under the poller is an endpoint failure (exit 3); cli/main.ts classifies it.
    if (outcome === 'failed') {
      say('the stream poller failed; DynamoDB Local is stopped');
      throw awsFailureOf(failure, stack.dynamo.endpoint) ?? failure;
    }
    say(`Stopped (${outcome}); ${projected} row(s) projected this session.`);
    return 0;
  },
};

export default command;
