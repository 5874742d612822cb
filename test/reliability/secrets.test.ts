import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStoredEvent } from '../../domain/eventCodec.js';
import type { EcsEvent } from '../../domain/eventTypes.js';
import { REDACTED } from '../../domain/redact.js';
import { createPipeline, type Pipeline } from '../../local/localStack.js';
import { generateWorkload } from '../../sim/clusterWorkload.js';
import { seededRandom } from '../../sim/random.js';
import { inParallel } from '../../usecases/inParallel.js';
import { scanAll, uniqueTables } from '../support/pipeline.js';
import { captureOutput, setEnv } from './support/capture.js';
import { samplesIn } from './support/samples.js';
import { runs, SEED, scenario } from './support/scenario.js';
import { freshAccount, WORKLOAD_START_MS } from './support/schedule.js';

/**
 * Container-override environment values are often secrets. With REDACT_OVERRIDE_ENVIRONMENT on (the
 * default) no value may reach any table or any log line (logger at DEBUG), every name is kept, and the
 * redaction shows as "[REDACTED]". Off, values are stored as sent. Every secret carries a marker that
 * appears nowhere else, so a search for the marker finds any leak, whole or in part.
 */
const MARKER = `s3cr3t${randomBytes(4).toString('hex')}`;
const secretArb = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => `${MARKER}${s}`);

/** A task event whose overrides set environment variables to the given secrets. */
function withSecrets(base: EcsEvent, secrets: string[]): EcsEvent {
  const e = structuredClone(base);
  e.detail.overrides = {
    containerOverrides: [
      { name: 'app', environment: secrets.map((value, i) => ({ name: `SECRET_${i}`, value })) },
      { name: 'sidecar', environment: [{ name: 'NUMERIC_TOKEN', value: 12345 }, { name: 'NO_VALUE' }] },
      { name: 'plain' },
    ],
  };
  return e;
}

let restoreEnv: () => void;
beforeAll(() => {
  restoreEnv = setEnv({ POWERTOOLS_LOG_LEVEL: 'DEBUG' });
});
afterAll(() => restoreEnv());

describe('secrets in container overrides', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    // Created under DEBUG, with the default configuration (REDACT_OVERRIDE_ENVIRONMENT unset).
    pipeline = await createPipeline(uniqueTables(import.meta.filename), {
      ...process.env,
      REDACT_OVERRIDE_ENVIRONMENT: undefined,
    });
  });
  afterAll(() => pipeline.client.destroy());

  it('no value reaches a table or a log line; names stay, marked [REDACTED]', async ({ task }) => {
    const row = scenario(task, 'secrets: redacted everywhere');
    const output = captureOutput();
    const refusals: string[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(secretArb, { minLength: 1, maxLength: 4 }), fc.integer(), async (secrets, seed) => {
          const rng = seededRandom(seed);
          const account = freshAccount();
          const tasks = generateWorkload(rng, { tasks: 2, instances: 0, account, startMs: WORKLOAD_START_MS });
          const sample = samplesIn(account, 'task-3')[0] as EcsEvent; // the AWS sample that carries environment overrides
          const secretive = [...tasks, sample].map((e) => withSecrets(e, secrets));
          // Every path: appended, duplicate, conflict (same version, other secrets), and refused events.
          const conflict = withSecrets(
            secretive[0] as EcsEvent,
            secrets.map((s) => `${s}-other`),
          );
          conflict.detail.lastStatus = 'CONFLICTING';
          // Refused events quote the offending field in their message; never the environment, even when
          // the whole detail or event arrives JSON-encoded as one string with the overrides first.
          const victim = secretive[1] as EcsEvent;
          const overridesFirst = { overrides: victim.detail.overrides, ...victim.detail };
          const { detail: _detail, ...envelope } = victim;
          const refused = [
            { ...victim, detail: { ...victim.detail, version: 'seven' } },
            { ...victim, detail: JSON.stringify(overridesFirst) },
            JSON.stringify({ detail: overridesFirst, ...envelope }),
          ];
          const deliveries = [...secretive, ...secretive, conflict, ...refused];
          await inParallel(deliveries, 8, async (e) => {
            await pipeline.ingest(e).catch((err: Error) => refusals.push(err.message));
          });
          row.runs++;
          row.events += deliveries.length;
        }),
        { seed: SEED, numRuns: runs(10, 200) },
      );
      await pipeline.poller().drain();
    } finally {
      output.restore();
    }
    row.rejected = refusals.length;

    const items = [
      // The log's events as their text: compression hides nothing, so the check reads what is stored.
      ...(await scanAll(pipeline.doc, pipeline.tables.eventLog)).map((i) =>
        i.event === undefined ? i : { ...i, event: decodeStoredEvent(i) },
      ),
      ...(await scanAll(pipeline.doc, pipeline.tables.taskState)),
    ];
    const stored = JSON.stringify(items);
    const logs = output.lines();
    expect(items.length).toBeGreaterThan(0);
    expect(logs.length).toBeGreaterThan(0); // DEBUG really logged: appends, duplicates, the conflict, refusals
    expect(logs.some((l) => l.includes('"level":"DEBUG"'))).toBe(true);
    expect(logs.some((l) => l.includes('conflicting event'))).toBe(true);
    expect(refusals.length).toBeGreaterThan(0);
    // Not in any table, log line, or refusal message (which Lambda records with the on-failure event).
    // (Booleans, not toContain: a failure must not print the secrets it found.)
    expect(stored.includes(MARKER), 'a secret reached a table').toBe(false);
    expect(logs.filter((l) => l.includes(MARKER)).length, 'log lines with a secret').toBe(0);
    expect(refusals.filter((m) => m.includes(MARKER)).length, 'refusals with a secret').toBe(0);
    // The names are kept and the redaction is visible, in the log's event and in the rows.
    for (const name of ['SECRET_0', 'NUMERIC_TOKEN', 'NO_VALUE']) expect(stored.includes(name), name).toBe(true);
    expect(stored.includes(`\\"value\\":\\"${REDACTED}\\"`), 'marker in the log event').toBe(true);
    const rows = await scanAll(pipeline.doc, pipeline.tables.taskState);
    const overrides = rows.map((r) => r.overrides as { containerOverrides: { environment?: { value?: unknown }[] }[] });
    for (const o of overrides) {
      for (const co of o.containerOverrides) {
        for (const v of co.environment ?? []) if ('value' in v) expect(v.value).toBe(REDACTED);
      }
    }
  }, 120_000);
});

describe('REDACT_OVERRIDE_ENVIRONMENT=false', () => {
  it('stores the values as sent (the option really switches)', async () => {
    const off = await createPipeline(uniqueTables(`${import.meta.filename}-off`), {
      ...process.env,
      REDACT_OVERRIDE_ENVIRONMENT: 'false',
    });
    const output = captureOutput(); // DEBUG lines of this pipeline are not under test here
    try {
      const account = freshAccount();
      const event = withSecrets(samplesIn(account, 'task-3')[0] as EcsEvent, [`${MARKER}-kept`]);
      expect((await off.ingest(event)).outcome).toBe('appended');
      await off.poller().drain();
      const [item] = await scanAll(off.doc, off.tables.eventLog);
      const [stateRow] = await scanAll(off.doc, off.tables.taskState);
      expect(decodeStoredEvent(item ?? {})).toContain(`${MARKER}-kept`);
      expect(JSON.stringify(stateRow)).toContain(`${MARKER}-kept`);
    } finally {
      output.restore();
      off.client.destroy();
    }
  });
});
