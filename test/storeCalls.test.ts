// The calls that change the store itself, end to end on DynamoDB Local: ingested by the real handler
// as the self-audit log rules deliver them (deploy/selfAudit.cjs), one item under the store resource
// each names, a redelivery a no-op, other sources still refused; the projector takes them as history
// and `verify --log` checks each and lists them as the store's history, the deployer's included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../domain/eventTypes.js';
import { IngestRejectedError } from '../functions/ingest.js';
import type { Pipeline } from '../local/localStack.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { runCli } from './support/runCli.js';
import { DEPLOYER_ROLE_ARN, STORE_RESOURCES, storeCallFixtures } from './support/storeCloudTrail.js';

let pipeline: Pipeline;
const calls = storeCallFixtures();
const cli = (...args: string[]) => runCli(args, pipeline.tables);
const storeItems = async () =>
  (await scanAll(pipeline.doc, pipeline.tables.eventLog)).filter((i) => String(i.arn).endsWith('#store-call'));

beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  for (const e of Object.values(calls)) expect((await pipeline.ingest(e)).outcome).toBe('appended');
});
afterAll(() => pipeline?.client.destroy());

describe('calls on the store in the log', () => {
  it('one item per call under the resource it names; a redelivery appends nothing; another source is refused', async () => {
    const items = await storeItems();
    expect(items).toHaveLength(6);
    expect(items.filter((i) => i.arn === `${STORE_RESOURCES.table}#store-call`)).toHaveLength(3);
    for (const i of items) {
      expect(i.timelineKey).toBeUndefined();
      expect(i.callKey).toBeUndefined();
    }
    const again = { ...(calls['disable-rule'] as EcsEvent), id: 'redelivered' };
    expect(await pipeline.ingest(again)).toMatchObject({
      outcome: 'duplicate',
      arn: `${STORE_RESOURCES.rule}#store-call`,
    });
    const ec2 = { ...(calls['disable-rule'] as EcsEvent), source: 'aws.ec2' as 'aws.ecs' };
    await expect(pipeline.ingest(ec2)).rejects.toThrow(IngestRejectedError);
    await expect(pipeline.ingest(ec2)).rejects.toThrow(/SOURCE_UNSUPPORTED/);
    expect(await storeItems()).toHaveLength(6);
  });

  it('the projector takes them as history (no state row), and verify --log checks each and lists the store history', async () => {
    await pipeline.poller().drain();
    const rows = await scanAll(pipeline.doc, pipeline.tables.taskState);
    expect(rows.filter((r) => String(r.taskArn ?? '').includes('dynamodb'))).toEqual([]);
    const report = await cli('verify', '--log', '--json');
    expect(report.code, report.stderr).toBe(0);
    const r = JSON.parse(report.stdout);
    expect(r.mismatches).toEqual([]);
    expect(r.notEvents).toEqual({});
    expect(r.storeCalls.map((c: { action: string }) => c.action)).toEqual([
      'dynamodb:UpdateTable',
      'dynamodb:DeleteResourcePolicy',
      'lambda:PutFunctionConcurrency20171031',
      'events:DisableRule',
      'iam:PutRolePolicy',
      'dynamodb:UpdateTable',
    ]);
    // The deployer's own call is in the history (only the alarm excludes it).
    expect(r.storeCalls.at(-1)).toMatchObject({
      resource: STORE_RESOURCES.table,
      principal: DEPLOYER_ROLE_ARN,
      invokedBy: 'cloudformation.amazonaws.com',
    });
    const table = await cli('verify', '--log');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain("The store's history");
    expect(table.stdout).toContain('events:DisableRule');
  });
});
