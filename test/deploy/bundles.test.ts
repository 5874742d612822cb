// The two built bundles in plain Node against DynamoDB Local, as Lambda's Node runtime would run them.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../../local/localStack.js';
import { loadSamples } from '../../sim/samples.js';
import { packaged, root } from '../support/packaging.js';
import { scanAll, testPipeline } from '../support/pipeline.js';
import type { Json } from './template.js';

// The run's build (made with its packages, test/support/packaging.ts).
beforeAll(async () => {
  const { build } = await packaged();
  expect(build.status, build.output).toBe(0);
});

describe('the bundles', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await testPipeline(import.meta.filename);
  });
  afterAll(() => pipeline.client.destroy());

  /** Invokes a built bundle the way Lambda's Node runtime would: a fresh process, env read at init. */
  function invoke(name: string, event: unknown, env: Record<string, string>): { result?: Json; error?: Json } {
    const bundle = pathToFileURL(join(root, 'dist', name, `${name}.mjs`)).href;
    const code = `
      const chunks = [];
      for await (const chunk of process.stdin) chunks.push(chunk);
      const { handler } = await import(${JSON.stringify(bundle)});
      try {
        process.stdout.write(JSON.stringify({ result: await handler(JSON.parse(Buffer.concat(chunks).toString())) }));
      } catch (e) {
        process.stdout.write(JSON.stringify({ error: { name: e.name, message: e.message, stack: e.stack } }));
      }`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      input: JSON.stringify(event),
      encoding: 'utf8',
      env: { ...process.env, ...env, NODE_OPTIONS: '--enable-source-maps' },
    });
    return JSON.parse(out);
  }

  it('ingest appends (with the opted-in log TTL) and refuses with its reason; the projector projects', async () => {
    const env = {
      EVENT_LOG_TABLE: pipeline.tables.eventLog,
      TASK_STATE_TABLE: pipeline.tables.taskState,
      INSTANCE_STATE_TABLE: pipeline.tables.instanceState,
      LOG_RETENTION_DAYS: '7',
    };
    const sample = loadSamples('task-1').get('task-1') as Json;
    expect(invoke('ingest', sample, env).result).toMatchObject({ outcome: 'appended', version: sample.detail.version });
    expect(invoke('ingest', sample, env).result).toMatchObject({ outcome: 'duplicate' });
    const refused = invoke('ingest', { ...sample, detail: { ...sample.detail, version: '7' } }, env).error;
    expect(refused.name).toBe('IngestRejectedError');
    expect(refused.message).toMatch(/^rejected \[VERSION_NOT_INTEGER\]: detail\.version/);
    // The shipped source map works: the stack names the TypeScript source, not the minified bundle.
    expect(refused.stack).toMatch(/functions\/ingest\.ts:\d+/);

    const [item, ...others] = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    expect(others).toEqual([]);
    const eventTime = Date.parse(sample.time);
    expect(item).toMatchObject({
      arn: sample.detail.taskArn,
      eventTime,
      expiresAt: Math.floor(eventTime / 1000) + 7 * 86_400,
    });

    // The real stream, read like Lambda's event source mapping, into the projector bundle.
    await pipeline
      .poller({ handler: async (event) => invoke('projector', event, env).result as DynamoDBBatchResponse })
      .drain();
    const rows = await scanAll(pipeline.doc, pipeline.tables.taskState);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      taskArn: sample.detail.taskArn,
      version: sample.detail.version,
      lastStatus: 'RUNNING',
    });
  });
});
