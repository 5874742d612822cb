// The `@example` of each public entry point runs as written (a fresh process, from the repository
// root, against this file's tables in the run's DynamoDB Local). startLocalStack's would start a
// second JVM and is left out; `ecs-events local` is tested in audit.cli.test.ts.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../local/localStack.js';
import { testPipeline } from './support/pipeline.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Inside the repository, so that the examples' package imports resolve from node_modules.
const DIR = join(ROOT, 'node_modules', '.cache', `ecs-events-examples-${process.pid}`);

/** The ```ts blocks after `@example` in a file's doc comments, with the comment's ` * ` taken off. */
function examples(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/@example\n \* ```ts\n([\s\S]*?)\n \* ```/g)].map((m) =>
    (m[1] as string)
      .split('\n')
      .map((line) => line.replace(/^ \*( |$)/, ''))
      .join('\n'),
  );
}

/** Runs one example as its own module, its `./` imports pointed at the repository. */
function run(code: string, name: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  const file = join(DIR, `${name}.mts`);
  writeFileSync(file, code.replaceAll("from './", `from '${ROOT}`));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', file],
      { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

let pipeline: Pipeline;
let env: Record<string, string>;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  env = {
    EVENT_LOG_TABLE: pipeline.tables.eventLog,
    TASK_STATE_TABLE: pipeline.tables.taskState,
    INSTANCE_STATE_TABLE: pipeline.tables.instanceState,
  };
  mkdirSync(DIR, { recursive: true });
});
afterAll(() => {
  pipeline.client.destroy();
  rmSync(DIR, { recursive: true, force: true });
});

describe('@example', () => {
  it.each([
    ['infra/config.ts', /^7 ECSEventLog\n$/],
    ['functions/ingest.ts', /outcome: 'appended'[\s\S]*\nduplicate\nVERSION_NOT_INTEGER\n$/],
    ['functions/projector.ts', /^\[\] 1\n$/],
    ['cli/main.ts', /^Usage: ecs-events tasks \(--cluster C \| --account ID \| --region R\) \[options\]\n/],
  ])('of %s runs and prints what its comments say', async (file, expected) => {
    const [example] = examples(file);
    expect(example).toBeDefined();
    const result = await run(example as string, file.replace(/\W/g, '-'), env);
    expect(result.out).toMatch(expected);
    expect(result.code).toBe(0);
  });

  it('of createPipeline runs', async () => {
    const [example] = examples('local/localStack.ts');
    const result = await run(example as string, 'createPipeline', env);
    expect(result).toEqual({ code: 0, out: '' });
  });
});
