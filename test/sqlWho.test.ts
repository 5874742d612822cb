import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../domain/eventTypes.js';
import { ArchiveDb } from '../infra/duckdb.js';
import type { Pipeline } from '../local/localStack.js';
import { HOUR_MS } from '../sim/clock.js';
import { exportLog } from '../usecases/export.js';
import { testPipeline } from './support/pipeline.js';
import { jsonItems, runCli } from './support/runCli.js';

// api_calls_by_principal against `who`, on the CloudTrail fixtures ingested as EventBridge delivers them.

const PROD = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
const DIR = 'test/fixtures/cloudtrail';
const now = Date.now();

/** A fixture dated relative to now: every ISO time moved by the same amount (README of the fixtures). */
function shifted(file: string): EcsEvent {
  const shift = now - 2 * HOUR_MS - Date.parse('2026-01-01T00:00:00Z');
  return JSON.parse(
    readFileSync(join(DIR, file), 'utf8').replace(/"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)"/g, (_, t: string) =>
      JSON.stringify(new Date(Date.parse(t) + shift).toISOString()),
    ),
  );
}

let pipeline: Pipeline;
let db: ArchiveDb;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  for (const f of readdirSync(DIR).filter((f) => f.endsWith('.json'))) await pipeline.ingest(shifted(f));
  const out = mkdtempSync(join(tmpdir(), 'ecs-who-'));
  await exportLog({ doc: pipeline.doc, eventLog: pipeline.tables.eventLog, out, segments: 2 });
  db = await ArchiveDb.open(out);
}, 120_000);
afterAll(() => {
  db?.close();
  pipeline?.client.destroy();
});

describe('api_calls_by_principal = `who`', () => {
  it('the same principals, calls (each once, whatever it acts on) and denied attempts', async () => {
    const who = jsonItems<{ principal: string; calls: number; denied: number }>(
      await runCli(['who', '--cluster', PROD, '--since', '1d', '--json'], pipeline.tables),
    );
    expect(who.length).toBeGreaterThan(3);
    const rows = (
      await db.query(
        'SELECT principal, sum(calls) AS calls, sum(denied) AS denied FROM api_calls_by_principal GROUP BY principal',
      )
    ).rows;
    const bySql = new Map(rows.map((r) => [r.principal, { calls: r.calls, denied: r.denied }]));
    expect(bySql).toEqual(new Map(who.map((w) => [w.principal, { calls: w.calls, denied: w.denied }])));
    expect(who.some((w) => w.denied > 0)).toBe(true);
  });
});
