// `--help` makes no AWS client, the usage is generated from each command's option table, and the
// Lambda handlers build their clients on the first call, not at import.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { usage } from '../cli/command.js';
import { COMMANDS } from '../cli/commands/index.js';
import { main } from '../cli/main.js';
import { optionLines, parserOptions } from '../cli/options.js';
import { freePort } from '../local/dynamoLocal.js';
import { uniqueTables } from './support/pipeline.js';
import { runCli } from './support/runCli.js';

/** Every SDK client made in this test process, by class (the CLI and the functions make no other kinds). */
const made = vi.hoisted((): string[] => []);

vi.mock('@aws-sdk/client-dynamodb', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-dynamodb')>();
  class DynamoDBClient extends sdk.DynamoDBClient {
    constructor(...args: ConstructorParameters<typeof sdk.DynamoDBClient>) {
      super(...args);
      made.push('DynamoDBClient');
    }
  }
  return { ...sdk, DynamoDBClient };
});
vi.mock('@aws-sdk/client-dynamodb-streams', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-dynamodb-streams')>();
  class DynamoDBStreamsClient extends sdk.DynamoDBStreamsClient {
    constructor(...args: ConstructorParameters<typeof sdk.DynamoDBStreamsClient>) {
      super(...args);
      made.push('DynamoDBStreamsClient');
    }
  }
  return { ...sdk, DynamoDBStreamsClient };
});

let stdout: string;
let stderr: string;
beforeEach(() => {
  made.length = 0;
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe('--help', () => {
  it('lists every registered command, then shows each usage made from its option table; no client is made', async () => {
    expect(await main(['--help'])).toBe(0);
    for (const [name, command] of Object.entries(COMMANDS))
      expect(stdout).toContain(`  ${name.padEnd(16)} ${command.summary}`);
    for (const [name, command] of Object.entries(COMMANDS)) {
      stdout = '';
      expect(await main([name, '--help'])).toBe(0);
      expect(stdout).toBe(`${usage(name, command)}\n`);
      // Every option of the table is in the parser config and has its line in the usage.
      expect(Object.keys(parserOptions(command.options))).toEqual(Object.keys(command.options));
      for (const line of optionLines(command.options)) expect(stdout).toContain(line);
    }
    expect(stderr).toBe('');
    expect(made).toEqual([]);
  });

  it('is what the real binary prints, with exit code 0, even with the SDK pointed at a closed port', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const env = { AWS_ENDPOINT_URL_DYNAMODB: closed, AWS_ENDPOINT_URL_DYNAMODB_STREAMS: closed };
    const tables = uniqueTables(import.meta.filename);
    // bin/ecs-events.mjs itself (tsx), not the run's bundle of it: the entry point users run.
    const [tool, timeline] = await Promise.all([
      runCli(['--help'], tables, env, { realBin: true }),
      runCli(['timeline', '--help'], tables, env, { realBin: true }),
    ]);
    expect([tool.code, tool.stderr]).toEqual([0, '']);
    expect(tool.stdout).toMatch(/^Usage: ecs-events <command> \[options\]/);
    expect(tool.stdout).toContain(`  timeline         ${COMMANDS.timeline?.summary}\n`);
    expect([timeline.code, timeline.stderr]).toEqual([0, '']);
    expect(timeline.stdout).toBe(`${usage('timeline', COMMANDS.timeline as never)}\n`);
    expect(timeline.stdout).toMatch(
      /^Usage: ecs-events timeline \(--cluster C \| --account ID \| --region R\) --since T \[options\]\n/,
    );
    expect(timeline.stdout).toContain('\n  --page-size N     items DynamoDB evaluates per request');
  });

  it('an unknown option prints the message and the generated usage on stderr, exit code 2', async () => {
    const result = await runCli(['tasks', '--cluster', 'prod', '--bogus'], uniqueTables(import.meta.filename));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ecs-events tasks: Unknown option '--bogus'/);
    expect(result.stderr.endsWith(`\n\n${usage('tasks', COMMANDS.tasks as never)}\n`)).toBe(true);

    // In process, too: a missing required option is named with its help; still no client.
    expect(await main(['stopped', '--since', '1h'])).toBe(2);
    expect(stderr).toMatch(/^ecs-events stopped: --cluster is required \(a cluster ARN or name\), or --account/);
    expect(stderr).toContain(usage('stopped', COMMANDS.stopped as never));
    expect(made).toEqual([]);
  });
});

describe('clients', () => {
  it('a command run in process connects where its context says, not where the SDK variables say', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const code = await main(['tasks', '--cluster', 'arn:aws:ecs:us-east-1:111122223333:cluster/prod'], {
      env: { ...process.env, TASK_STATE_TABLE: 'NoSuchTable' },
      clients: { endpoint: closed, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } },
    });
    // An endpoint that does not answer is an AWS/endpoint failure: exit 3, the endpoint named (docs/cli.md "Exit codes").
    expect(code).toBe(3);
    expect(made).toEqual(['DynamoDBClient']);
    // The run's DynamoDB Local would have said "does not exist"; the closed port refuses the connection.
    expect(stderr).not.toMatch(/does not exist/);
    expect(stderr).toMatch(/ECONNREFUSED|connect/i);
    expect(stderr).toContain(closed);
  });

  it('the Lambda handlers make their client on the first call, not at import', async () => {
    const ingest = await import('../functions/ingest.js');
    const projector = await import('../functions/projector.js');
    expect(made).toEqual([]);
    // A refused event never reaches DynamoDB, but the first call builds the handler and its client.
    await expect(ingest.handler({ source: 'aws.ec2' })).rejects.toBeInstanceOf(ingest.IngestRejectedError);
    expect(made).toEqual(['DynamoDBClient']);
    await expect(ingest.handler({ source: 'aws.ec2' })).rejects.toBeInstanceOf(ingest.IngestRejectedError);
    expect(made).toEqual(['DynamoDBClient']);
    await expect(projector.handler({ Records: [] })).resolves.toMatchObject({ batchItemFailures: [] });
    expect(made).toEqual(['DynamoDBClient', 'DynamoDBClient']);
  });
});
