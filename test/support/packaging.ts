// One build and one set of offline packages per vitest run, shared by every deploy suite (test/deploy/):
// `npm run build`, then `npm run package` (osls with the network denied) in the variants the suites
// assert on. The first suite to ask does it, under a lock in the run's folder (test/support/packagingRun.ts,
// a globalSetup that only makes that folder); the others wait for its record. So a run that selects no
// deploy suite packages nothing, and one that selects several packages once.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';

export const root = resolve(import.meta.dirname, '..', '..');
export const denyNetwork = join(root, 'test', 'support', 'denyNetwork.cjs');
/** deploy/member-forwarder.yml, the template of the member accounts and regions. */
export const MEMBER_TEMPLATE = join(root, 'deploy', 'member-forwarder.yml');

/** A prod stage with every parameter set to something else than its default. */
export const CUSTOM_PARAMS = [
  '--stage',
  'prod',
  '--region',
  'eu-west-1',
  '--param=stateTableSuffix=-v2',
  '--param=stateTtlDays=7',
  '--param=eventLogRetentionDays=400',
  '--param=alarmTopicArn=arn:aws:sns:eu-west-1:123456789012:ops-alerts',
  '--param=iteratorAgeAlarmSeconds=120',
  '--param=lambdaLogRetentionDays=90',
  '--param=logRepairPrincipalArn=arn:aws:iam::123456789012:role/ops/log-repair',
  '--param=logRepairExpiresAt=2026-12-08T18:00:00Z',
  '--param=deploymentRoleArn=arn:aws:iam::123456789012:role/ecs-event-store-prod-deployer',
  '--param=eventArchiveRetentionDays=off',
  '--param=reconcileSchedule=off',
  '--param=reconcileClusters=prod,batch',
  '--param=reconcileRate=25',
  '--param=coldStore=on',
  '--param=athenaQueryLimitGb=5',
];
export const ORG_PARAMS = [
  '--stage',
  'prod',
  '--param=organizationId=o-a1b2c3d4e5',
  '--param=memberAccountIds=444455556666,111122223333',
  '--param=eventArchiveRetentionDays=90',
];
const BAD_PARAMS = ['--param=stateTtlDays=thirty'];

export interface Run {
  status: number | null;
  output: string;
}

/** Runs a script of this repository with node; returns its exit status and output. */
export function runScript(args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const run = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Runs a command without blocking (cfn-lint, osls): the worker's other suites go on meanwhile. */
export function runAsync(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<Run & { stdout: string }>((done, fail) => {
    const child = spawn(command, args, { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, output: stdout + stderr }));
  });
}

/** `npm run package` with the network denied to osls, into `outDir` (emptied by the script). */
function packageOffline(outDir: string, oslsArgs: string[] = []): Promise<Run> {
  const env = { ...process.env, NODE_OPTIONS: `--require ${denyNetwork}` };
  return runAsync(process.execPath, ['scripts/package.mjs', '--out', outDir, '--', ...oslsArgs], env).then(
    ({ status, output }) => ({ status, output }),
  );
}

/** What the run's one packaging left: each variant's folder and how its command ended. */
export interface Packaged {
  /** The run's folder: nothing built or packaged in it but these. */
  work: string;
  build: Run;
  /** Defaults (stage dev). A stale file was put in its folder first: the package step must remove it. */
  default: Run & { dir: string };
  custom: Run & { dir: string };
  organization: Run & { dir: string };
  /** `stateTtlDays=thirty`: must fail, naming the parameter. */
  badParameter: Run;
}

async function packageAll(work: string): Promise<Packaged> {
  const build = runScript(['scripts/build.mjs']);
  const dir = (name: string) => join(work, name);
  // A stale file in the output folder must not survive: every package run starts from nothing.
  mkdirSync(dir('default'), { recursive: true });
  writeFileSync(join(dir('default'), 'stale.json'), '{}');
  // One after the other: osls stages every run in the service's own .serverless/ folder.
  const variant = async (name: string, params: string[]) => ({
    dir: dir(name),
    ...(await packageOffline(dir(name), params)),
  });
  // The bad parameter stops osls while it reads the service, before it stages anything: it can run beside.
  const [first, badParameter] = await Promise.all([variant('default', []), packageOffline(dir('bad'), BAD_PARAMS)]);
  const custom = await variant('custom', CUSTOM_PARAMS);
  const organization = await variant('organization', ORG_PARAMS);
  return { work, build, default: first, custom, organization, badParameter };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Waits for the record of the suite that holds the lock (it writes it once, by rename). */
async function recordOf(file: string, timeoutMs: number): Promise<Packaged> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no packaging record at ${file} after ${timeoutMs} ms`);
    await sleep(200);
  }
  const record = JSON.parse(readFileSync(file, 'utf8')) as Packaged | { error: string };
  if ('error' in record) throw new Error(`the run's packaging failed: ${record.error}`);
  return record;
}

let mine: Promise<Packaged> | undefined;

/** The run's packages: made by the first suite that asks, waited for by the others. */
export function packaged(): Promise<Packaged> {
  mine ??= (async () => {
    const work = inject('packagingDir');
    const record = join(work, 'packaged.json');
    try {
      mkdirSync(join(work, 'lock'));
    } catch {
      return recordOf(record, 110_000);
    }
    let result: Packaged | { error: string };
    try {
      result = await packageAll(work);
    } catch (e) {
      result = { error: (e as Error).stack ?? String(e) };
    }
    writeFileSync(`${record}.tmp`, JSON.stringify(result));
    renameSync(`${record}.tmp`, record);
    return recordOf(record, 0);
  })();
  return mine;
}

/** The CloudFormation template osls wrote into a package folder (untyped JSON). */
export const readTemplate = <T>(dir: string): T =>
  JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as T;

declare module 'vitest' {
  export interface ProvidedContext {
    packagingDir: string;
  }
}
