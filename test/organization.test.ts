// A whole organization in one store (docs/organization.md): the same ECS events, as three accounts in
// two regions would send them through the central bus, each land under their own key; the queries find
// them by cluster ARN from any account, refuse an ambiguous cluster name with its candidates, and narrow
// or widen by --account / --region. On DynamoDB Local, through the real handlers and the real CLI.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseEcsArn } from '../domain/arn.js';
import { clusterMatches } from '../domain/clusterScope.js';
import { decodeStoredEvent } from '../domain/eventCodec.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { countedAccounts, metricOrigin } from '../domain/origin.js';
import { createIngestHandler } from '../functions/ingest.js';
import { createEmfTarget } from '../functions/observability.js';
import type { Pipeline } from '../local/localStack.js';
import { generateWorkload } from '../sim/clusterWorkload.js';
import { seededRandom } from '../sim/random.js';
import { scanAll, testPipeline } from './support/pipeline.js';
import { jsonItems, runCli } from './support/runCli.js';

type CliResult = Awaited<ReturnType<typeof runCli>>;

/** One directive of an EMF document (the metrics it names, the dimension sets they are counted under). */
interface Directive {
  readonly Dimensions: string[][];
  readonly Metrics: { Name: string }[];
}

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'] as const;
const REGIONS = ['us-east-1', 'eu-west-1'] as const;
const ORIGINS = ACCOUNTS.flatMap((account) => REGIONS.map((region) => ({ account, region })));
const clusterOf = (o: { account: string; region: string }) => `arn:aws:ecs:${o.region}:${o.account}:cluster/prod`;
const FIRST = { account: '111111111111', region: 'us-east-1' };

// One small estate (cluster "prod"), generated once in a template account, then sent by every origin.
const HOUR = 3_600_000;
const START = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
const TEMPLATE = { account: '999988887777', region: 'us-east-1' };
const estate = generateWorkload(seededRandom(17), {
  tasks: 8,
  instances: 2,
  clusters: 1,
  startMs: START,
  spanMs: 2 * HOUR,
  ...TEMPLATE,
});

/** The estate as `origin` sends it: every ARN and the envelope in its account and region. */
function sentFrom(origin: { account: string; region: string }): EcsEvent[] {
  const text = JSON.stringify(estate).replaceAll(
    `:${TEMPLATE.region}:${TEMPLATE.account}:`,
    `:${origin.region}:${origin.account}:`,
  );
  return (JSON.parse(text) as EcsEvent[]).map((e) => ({ ...e, ...origin }));
}

let pipeline: Pipeline;
let perOrigin: number;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
});
afterAll(() => pipeline.client.destroy());

describe('three accounts, two regions, one log', () => {
  it('lands the same events from every account and region under their own keys; redeliveries are no-ops', async () => {
    const outcomes = await Promise.all(
      ORIGINS.map(async (origin) => {
        const out: string[] = [];
        for (const e of sentFrom(origin)) out.push((await pipeline.ingest(e)).outcome);
        return out;
      }),
    );
    perOrigin = outcomes[0]?.filter((o) => o === 'appended').length ?? 0;
    expect(perOrigin).toBeGreaterThan(20);
    // The same content in six places: each is new, none is a duplicate or a conflict of another.
    for (const out of outcomes) expect(out.filter((o) => o === 'appended')).toHaveLength(perOrigin);
    expect(outcomes.flat().every((o) => o === 'appended' || o === 'duplicate')).toBe(true);

    // Each origin redelivers in its own order, the origins side by side (as they send).
    await Promise.all(
      ORIGINS.map(async (origin) => {
        for (const e of sentFrom(origin)) expect((await pipeline.ingest(e)).outcome).toBe('duplicate');
      }),
    );

    const log = await scanAll(pipeline.doc, pipeline.tables.eventLog);
    expect(log).toHaveLength(perOrigin * ORIGINS.length);
    // Every item is keyed in the account and region that sent it, and the six copies of one
    // (resource, version) differ exactly by account and region.
    const copies = new Map<string, Set<string>>();
    for (const item of log) {
      const arn = parseEcsArn(item.arn as string);
      const event = JSON.parse(decodeStoredEvent(item)) as EcsEvent;
      expect([arn?.account, arn?.region]).toEqual([event.account, event.region]);
      const id = `${arn?.resourceType}/${arn?.resourceId}#${item.version}`;
      copies.set(id, (copies.get(id) ?? new Set()).add(`${arn?.account}/${arn?.region}`));
    }
    expect(copies.size).toBe(perOrigin);
    for (const origins of copies.values()) expect(origins.size).toBe(ORIGINS.length);

    await pipeline.poller().drain();
    const rows = await scanAll(pipeline.doc, pipeline.tables.taskState);
    const clusters = new Set(rows.map((r) => r.clusterArn));
    expect([...clusters].sort()).toEqual(ORIGINS.map(clusterOf).sort());
  });

  it('counts ingested events per listed account (others as "other") and per region, in separate series', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const ingest = createIngestHandler({
        doc: pipeline.doc,
        eventLogTable: pipeline.tables.eventLog,
        redactEnvironment: true,
        metrics: createEmfTarget({ metricsNamespace: 'OrgTest', serviceName: 'org' }),
        metricAccountIds: '111111111111,222222222222',
      });
      const [first] = sentFrom({ account: '111111111111', region: 'eu-west-1' });
      const [unlisted] = sentFrom({ account: '333333333333', region: 'us-east-1' });
      await ingest(first);
      await ingest(unlisted);
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
    const ingested = written
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.includes('"Ingested"'))
      .map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: Directive[] } })
      // Each series of Ingested in the invocation's document: its dimension set beyond `service`, with values.
      .flatMap((doc) =>
        doc._aws.CloudWatchMetrics.filter((d) => d.Metrics.some((m) => m.Name === 'Ingested')).flatMap((d) =>
          d.Dimensions.map((set) =>
            set
              .filter((k) => k !== 'service')
              .map((k) => `${k}=${String(doc[k])}`)
              .join(','),
          ),
        ),
      );
    expect(ingested).toEqual(['account=111111111111', 'region=eu-west-1', 'account=other', 'region=us-east-1']);
    // The pure rule: only listed, well-formed ids; only region-shaped regions.
    const counted = countedAccounts(' 111111111111,bad,222222222222 ');
    expect(metricOrigin({ account: '222222222222', region: 'ap-southeast-7' }, counted)).toEqual({
      account: '222222222222',
      region: 'ap-southeast-7',
    });
    expect(metricOrigin({ account: '444444444444', region: 'Mars; DROP' }, counted)).toEqual({
      account: 'other',
      region: 'other',
    });
    expect(metricOrigin(null, counted)).toEqual({ account: 'other', region: 'other' });
  });
});

describe('queries across accounts and regions', () => {
  const cli = (...args: string[]) => runCli(args, pipeline.tables);
  const since = new Date(START - HOUR).toISOString();

  it('refuses a cluster name found in several accounts or regions, listing the candidates', async () => {
    const [all, inAccount] = await Promise.all([
      cli('tasks', '--cluster', 'prod'),
      cli('timeline', '--cluster', 'prod', '--account', '222222222222', '--since', since),
    ]);
    expect(all.code).toBe(2);
    expect(all.stderr).toContain('--cluster prod is ambiguous');
    for (const origin of ORIGINS) expect(all.stderr).toContain(clusterOf(origin));

    expect(inAccount.code).toBe(2);
    expect(inAccount.stderr).toContain('--cluster prod is ambiguous in account 222222222222');
    const candidates = ORIGINS.filter((o) => o.account === '222222222222')
      .map(clusterOf)
      .sort();
    expect(inAccount.stderr).toContain(candidates.join(', '));
    expect(inAccount.stderr).not.toContain(clusterOf({ account: '111111111111', region: 'us-east-1' }));
  });

  it('takes a cluster ARN of any account and region, and a name narrowed to one by --account and --region', async () => {
    // The queries are independent: they run side by side, then each is checked.
    const origins = [
      { account: '111111111111', region: 'eu-west-1' },
      { account: '333333333333', region: 'us-east-1' },
    ];
    const [clash, none, ...pairs] = await Promise.all([
      cli('tasks', '--cluster', clusterOf(FIRST), '--region', 'eu-west-1'),
      cli('tasks', '--cluster', 'prod', '--account', '444455556666'),
      ...origins.map((origin) =>
        Promise.all([
          cli('tasks', '--cluster', clusterOf(origin), '--json'),
          cli('tasks', '--cluster', 'prod', '--account', origin.account, '--region', origin.region, '--json'),
        ]),
      ),
    ]);
    for (const [i, origin] of origins.entries()) {
      const [arnResult, nameResult] = pairs[i] as [CliResult, CliResult];
      const byArn = jsonItems(arnResult);
      const byName = jsonItems(nameResult);
      expect(byArn.length).toBeGreaterThan(0);
      expect(byName).toEqual(byArn);
      for (const row of byArn) expect(row.clusterArn).toBe(clusterOf(origin));
    }
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('is in account 111111111111, region us-east-1: it contradicts --region eu-west-1');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no cluster of that name in account 444455556666');
  });

  it('lists the tasks and instances of every cluster of an account, or of a region, with ACCOUNT and REGION columns', async () => {
    const [singleResult, ofAccountResult, instancesResult, table] = await Promise.all([
      cli('tasks', '--cluster', clusterOf(FIRST), '--json'),
      cli('tasks', '--account', '222222222222', '--json'),
      cli('instances', '--region', 'eu-west-1', '--json'),
      cli('tasks', '--account', '333333333333', '--region', 'eu-west-1'),
    ]);
    const single = jsonItems(singleResult).length;
    const ofAccount = jsonItems(ofAccountResult);
    expect(ofAccount).toHaveLength(2 * single);
    expect(new Set(ofAccount.map((r) => r.clusterArn))).toEqual(
      new Set(ORIGINS.filter((o) => o.account === '222222222222').map(clusterOf)),
    );
    const instances = jsonItems(instancesResult);
    expect(instances.length).toBeGreaterThan(0);
    expect(instances.every((r) => clusterMatches(r.clusterArn as string, { region: 'eu-west-1' }))).toBe(true);
    expect(new Set(instances.map((r) => r.clusterArn)).size).toBe(ACCOUNTS.length);

    expect(table.code).toBe(0);
    const [header, first] = table.stdout.split('\n');
    expect(header?.split('\t').slice(0, 3)).toEqual(['ACCOUNT', 'REGION', 'TASK']);
    expect(first?.split('\t').slice(0, 2)).toEqual(['333333333333', 'eu-west-1']);
  });

  it('merges the timelines of a region in time order, and tallies the stopped tasks of an account', async () => {
    const [oneResult, regionResult, stoppedOneResult, stoppedAccountResult] = await Promise.all([
      cli(
        'timeline',
        '--cluster',
        clusterOf({ account: '111111111111', region: 'eu-west-1' }),
        '--since',
        since,
        '--json',
      ),
      cli('timeline', '--region', 'eu-west-1', '--since', since, '--json'),
      cli('stopped', '--cluster', clusterOf(FIRST), '--since', since, '--json'),
      cli('stopped', '--account', '111111111111', '--since', since, '--json'),
    ]);
    const one = jsonItems(oneResult);
    expect(one.length).toBeGreaterThan(0);
    const region = jsonItems(regionResult);
    expect(region).toHaveLength(ACCOUNTS.length * one.length);
    expect(region.every((e) => clusterMatches(e.clusterArn as string, { region: 'eu-west-1' }))).toBe(true);
    const times = region.map((e) => Date.parse(e.eventTime as string));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    type Group = { count: number; examples: string[] };
    const total = (groups: Group[]) => groups.reduce((n, g) => n + g.count, 0);
    const stoppedOne = jsonItems<Group>(stoppedOneResult);
    expect(total(stoppedOne)).toBeGreaterThan(0);
    const stoppedAccount = jsonItems<Group>(stoppedAccountResult);
    expect(total(stoppedAccount)).toBe(2 * total(stoppedOne));
    for (const g of stoppedAccount) {
      for (const arn of g.examples) expect(parseEcsArn(arn)?.account).toBe('111111111111');
    }
  });

  it('asks for --cluster, --account or --region, and checks their form', async () => {
    const [nothing, badAccount, badRegion] = await Promise.all([
      cli('tasks'),
      cli('instances', '--account', '1234'),
      cli('stopped', '--region', 'EU', '--since', since),
    ]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('--cluster is required (a cluster ARN or name), or --account and/or --region');
    expect(badAccount.code).toBe(2);
    expect(badAccount.stderr).toContain('--account must be a 12-digit AWS account id');
    expect(badRegion.code).toBe(2);
    expect(badRegion.stderr).toContain('--region must be an AWS region name');
  });
});
