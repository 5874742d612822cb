#!/usr/bin/env node
// Packages the service offline: `osls package` (the open-source Serverless Framework v3 line, a dev
// dependency) with no AWS credentials, into a freshly emptied folder. Produces the CloudFormation
// template and one zip per function from the bundles of `npm run build`.
//
//   node scripts/package.mjs [--out DIR] [-- <osls options, e.g. --stage prod --param="stateTableSuffix=-v2">]
//
// DIR defaults to .serverless (what `osls deploy --package .serverless` would then deploy). osls stages
// every run in the service's own .serverless/ folder, so two runs at once in one checkout would collide:
// runs take turns under a lock folder (.serverless.lock, holding the holder's pid).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { entryPoints } from './build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The environment of an offline run: the caller's, minus anything that could reach an AWS account. */
export function offlineEnv(env = process.env) {
  const clean = Object.fromEntries(
    Object.entries(env).filter(
      ([name]) => !/^AWS_/.test(name) || name === 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    ),
  );
  const nowhere = join(root, 'node_modules', '.cache', 'no-aws-config');
  return {
    ...clean,
    AWS_CONFIG_FILE: nowhere,
    AWS_SHARED_CREDENTIALS_FILE: nowhere,
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
}

/** The bundles serverless.yml points at that `dir` lacks (relative paths); empty when built. */
export function missingBundles(dir = root) {
  return entryPoints()
    .map(({ name }) => join('dist', name, `${name}.mjs`))
    .filter((file) => !existsSync(join(dir, file)));
}

const LOCK = join(root, '.serverless.lock');

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};

/**
 * Runs `fn` holding the checkout's packaging lock: another process's osls run (a second vitest run, a
 * `npm run package`) finishes first. A lock whose holder has died is taken over.
 */
function whileLocked(fn) {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = 0;
      try {
        holder = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
      } catch {
        // Just made, its pid not yet written: the holder is alive.
      }
      if (holder > 0 && !alive(holder)) rmSync(LOCK, { recursive: true, force: true });
      else Atomics.wait(pause, 0, 0, 250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Runs `osls package` into `outDir` (emptied first). Returns the finished child process. */
export function packageService({
  outDir = join(root, '.serverless'),
  oslsArgs = [],
  env = process.env,
  stdio = 'inherit',
} = {}) {
  const missing = missingBundles();
  if (missing.length > 0) {
    throw new Error(`missing ${missing.join(', ')}: run \`npm run build\` first`);
  }
  const osls = join(root, 'node_modules', '.bin', 'osls');
  const run = whileLocked(() => {
    rmSync(outDir, { recursive: true, force: true });
    return spawnSync(osls, ['package', '--package', outDir, ...oslsArgs], { cwd: root, env: offlineEnv(env), stdio });
  });
  if (run.error) throw run.error;
  return run;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
  const outDir = resolve(values.out ?? join(root, '.serverless'));
  try {
    const run = packageService({ outDir, oslsArgs: positionals });
    if (run.status !== 0) process.exit(run.status ?? 1);
  } catch (e) {
    console.error(`package: ${e.message}`);
    process.exit(1);
  }
  const template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  console.log(
    `${relative(root, outDir) || '.'}/cloudformation-template-update-stack.json: ${Object.keys(template.Resources).length} resources`,
  );
  for (const file of readdirSync(outDir).filter((f) => f.endsWith('.zip'))) {
    console.log(`${relative(root, join(outDir, file))}  ${(statSync(join(outDir, file)).size / 1024).toFixed(0)} KiB`);
  }
}
