import { AthenaClient, CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cfn from '../deploy/cloudformation.cjs';
import { type MotoServer, motoServerOrSkip, startMotoServer } from './support/motoServer.js';
import { uniqueTables } from './support/pipeline.js';
import { runCli } from './support/runCli.js';

// `ecs-events sql --athena` on moto's Athena: the stage's workgroup (created from the rendered
// properties), StartQueryExecution, GetQueryExecution, paginated GetQueryResults, the same output
// as the embedded engine, bytes scanned and cost on stderr. moto answers with the rows seeded here.

const moto = motoServerOrSkip('sql --athena on moto');
const STAGE = 'athq';
const settings: any = (cfn as any).deploySettings({
  stage: STAGE,
  stateTtlDays: 30,
  eventLogRetentionDays: 0,
  redactOverrideEnvironment: true,
  lambdaLogRetentionDays: 30,
  iteratorAgeAlarmSeconds: 300,
  logLevel: 'INFO',
  coldStore: 'on',
});

let server: MotoServer;
beforeAll(async () => {
  if (moto.skip) return;
  server = await startMotoServer();
  const athena = new AthenaClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await athena.send(
    new CreateWorkGroupCommand({
      Name: settings.coldStore.workgroup,
      Configuration: { BytesScannedCutoffPerQuery: settings.coldStore.bytesScannedCutoffPerQuery },
    }),
  );
  athena.destroy();
  // 1,001 rows: GetQueryResults pages at 1,000, so the CLI must follow the token.
  const rows = [
    { Data: [{ VarCharValue: 'service' }, { VarCharValue: 'tasks' }] },
    ...Array.from({ length: 1001 }, (_, i) => ({ Data: [{ VarCharValue: `svc-${i}` }, { VarCharValue: String(i) }] })),
  ];
  const seeded = await fetch(`${server.endpoint}/moto-api/static/athena/query-results`, {
    method: 'POST',
    body: JSON.stringify({
      results: [
        {
          rows,
          column_info: [
            {
              Name: 'service',
              Type: 'varchar',
              CatalogName: 'hive',
              Label: 'service',
              Nullable: 'UNKNOWN',
              Precision: 0,
              Scale: 0,
              CaseSensitive: true,
            },
            {
              Name: 'tasks',
              Type: 'bigint',
              CatalogName: 'hive',
              Label: 'tasks',
              Nullable: 'UNKNOWN',
              Precision: 19,
              Scale: 0,
              CaseSensitive: false,
            },
          ],
        },
      ],
    }),
  });
  expect(seeded.status).toBe(201);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe.skipIf(moto.skip)('ecs-events sql --athena', () => {
  it('runs the text in the stage’s workgroup, reads every page, types the cells, and says bytes and cost', async () => {
    const r = await runCli(
      [
        'sql',
        '--athena',
        '--stage',
        STAGE,
        '--json',
        'SELECT service, count(*) AS tasks FROM ecs_events GROUP BY service',
      ],
      uniqueTables(import.meta.filename),
      { AWS_ENDPOINT_URL_ATHENA: server.endpoint, AWS_REGION: 'us-east-1' },
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      columns: string[];
      items: { service: string; tasks: number }[];
      count: number;
    };
    expect(doc.columns).toEqual(['service', 'tasks']);
    expect(doc.count).toBe(1001);
    expect(doc.items[1000]).toEqual({ service: 'svc-1000', tasks: 1000 });
    expect(r.stderr).toMatch(
      /Athena [0-9a-f-]+: \d+ bytes scanned, 10000000 billed \(at least 10 MB a query\), \$0\.000050/,
    );
  });
});
