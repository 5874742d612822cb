// The build and the offline package: no credentials, the network denied, a fresh folder, one zip a
// function, and each function's runtime, role and environment as packaged.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { denyNetwork, type Packaged, root, runScript } from '../support/packaging.js';
import { getAtt, loadTemplates, type Resource, ref } from './template.js';

let run: Packaged;
let R: Record<string, Resource>;
let work: string;
let defaultOut: string;

beforeAll(async () => {
  const { packaged, template } = await loadTemplates();
  run = packaged;
  R = template.Resources;
  work = run.work;
  defaultOut = run.default.dir;
});

/** Names of the files in a zip archive, from its central directory. */
function zipEntries(file: string): string[] {
  const buf = readFileSync(file);
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${file} is not a complete zip archive`);
  const count = buf.readUInt16LE(end + 10);
  let offset = buf.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    names.push(buf.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names.sort();
}

describe('build and package', () => {
  it('packages offline, with no credentials and the network denied, into a fresh folder', () => {
    // The network guard really bites (otherwise "offline" would be vacuous).
    const probe = runScript(['--require', denyNetwork, '-e', "require('node:net').connect(443, 'example.com')"]);
    expect(probe.status).not.toBe(0);
    expect(probe.output).toContain('network access in an offline step: example.com:443');

    expect(existsSync(join(defaultOut, 'stale.json'))).toBe(false);
    expect(existsSync(join(defaultOut, 'cloudformation-template-update-stack.json'))).toBe(true);
  });

  it('hands osls no AWS credentials or profile, whatever the caller has', async () => {
    const script = (await import(pathToFileURL(join(root, 'scripts', 'package.mjs')).href)) as {
      offlineEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
    };
    const env = script.offlineEnv({
      PATH: '/bin',
      AWS_ACCESS_KEY_ID: 'AKIA...',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_PROFILE: 'prod-admin',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.2/creds',
    });
    expect(
      Object.keys(env)
        .filter((k) => k.startsWith('AWS_'))
        .sort(),
    ).toEqual(['AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_SHARED_CREDENTIALS_FILE']);
    expect(existsSync(env.AWS_CONFIG_FILE as string)).toBe(false);
    expect(env.PATH).toBe('/bin');
  });

  it('knows when there is nothing built to package (a fresh clone)', async () => {
    const script = (await import(pathToFileURL(join(root, 'scripts', 'package.mjs')).href)) as {
      missingBundles(dir: string): string[];
    };
    expect(script.missingBundles(work)).toEqual([
      join('dist', 'archiver', 'archiver.mjs'),
      join('dist', 'ingest', 'ingest.mjs'),
      join('dist', 'projector', 'projector.mjs'),
      join('dist', 'reconciler', 'reconciler.mjs'),
    ]);
    expect(script.missingBundles(root)).toEqual([]);
  });

  it('zips each function alone: its bundle and source map, nothing else', () => {
    for (const name of ['ingest', 'projector', 'reconciler']) {
      expect(zipEntries(join(defaultOut, `${name}.zip`))).toEqual([
        `dist/${name}/${name}.mjs`,
        `dist/${name}/${name}.mjs.map`,
      ]);
    }
  });

  it('runs the functions on nodejs22.x arm64 from the built .mjs files, each with its own role', () => {
    const expected = {
      ArchiverLambdaFunction: { handler: 'dist/archiver/archiver.handler', role: 'ArchiverRole', timeout: 60 },
      IngestLambdaFunction: { handler: 'dist/ingest/ingest.handler', role: 'IngestRole', timeout: 10 },
      ProjectorLambdaFunction: { handler: 'dist/projector/projector.handler', role: 'ProjectorRole', timeout: 60 },
      ReconcilerLambdaFunction: {
        handler: 'dist/reconciler/reconciler.handler',
        role: 'ReconcilerRole',
        timeout: 600,
      },
    };
    const functions = Object.entries(R).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(Object.keys(expected).sort());
    for (const [id, { handler, role, timeout }] of Object.entries(expected)) {
      const p = R[id]?.Properties;
      expect(p).toMatchObject({ Handler: handler, Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: timeout });
      expect(p.Role).toEqual(getAtt(role));
      // The handler file Lambda will load is the bundle in the zip.
      expect(existsSync(join(root, `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`))).toBe(true);
    }
    // No published versions pile up (nothing invokes one), and no shared default role exists.
    expect(Object.values(R).filter((r) => r.Type === 'AWS::Lambda::Version')).toEqual([]);
    expect(R.IamRoleLambdaExecution).toBeUndefined();
  });

  it('configures each function through its environment, per stage', () => {
    const common = {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'ecs-event-store-dev',
      POWERTOOLS_METRICS_NAMESPACE: 'ECSEventStore',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    expect(R.IngestLambdaFunction?.Properties.Environment.Variables).toEqual({
      ...common,
      EVENT_LOG_TABLE: 'ECSEventLog-dev',
      REDACT_OVERRIDE_ENVIRONMENT: 'true',
      LOG_RETENTION_DAYS: '0',
      METRIC_ACCOUNT_IDS: '',
      // One account's store: no Ingested by account or region (they would repeat the total).
      METRIC_ORIGINS: 'false',
      INGEST_FAILURE_QUEUE_URL: ref('IngestFailureQueue'),
    });
    expect(R.ProjectorLambdaFunction?.Properties.Environment.Variables).toEqual({
      ...common,
      TASK_STATE_TABLE: 'ECSTaskState-dev',
      INSTANCE_STATE_TABLE: 'ECSCtrInstanceState-dev',
      STATE_TTL_DAYS: '30',
      EVENT_LOG_TABLE: 'ECSEventLog-dev',
      LOG_TAMPER_QUEUE_URL: ref('LogTamperQueue'),
      // Log retention off: a TTL removal of a log item is tampering too.
      LOG_RETENTION_DAYS: '0',
    });
    expect(R.ReconcilerLambdaFunction?.Properties.Environment.Variables).toEqual({
      ...common,
      EVENT_LOG_TABLE: 'ECSEventLog-dev',
      TASK_STATE_TABLE: 'ECSTaskState-dev',
      INSTANCE_STATE_TABLE: 'ECSCtrInstanceState-dev',
      REDACT_OVERRIDE_ENVIRONMENT: 'true',
      LOG_RETENTION_DAYS: '0',
      RECONCILE_RATE: '10',
      RECONCILE_CLUSTERS: '',
    });
    for (const name of ['ingest', 'projector', 'reconciler']) {
      const group = Object.values(R).find(
        (r) => r.Properties?.LogGroupName === `/aws/lambda/ecs-event-store-dev-${name}`,
      );
      expect(group?.Properties.RetentionInDays).toBe(30);
    }
  });
});
