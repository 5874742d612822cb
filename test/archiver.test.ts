import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveRow } from '../domain/archive/row.js';
import type { EcsEvent } from '../domain/eventTypes.js';
import { ArchiveDb } from '../infra/duckdb.js';
import type { Pipeline } from '../local/localStack.js';
import { generateTour } from '../sim/tour.js';
import { type ArchiveSink, createArchiver, zeroArchiverCounts } from '../usecases/exportArchiver.js';
import { directorySink } from '../usecases/exportLocalSink.js';
import { inParallel } from '../usecases/inParallel.js';
import { scanAll, testPipeline } from './support/pipeline.js';

// The archiver on Lambda-shaped records from the local stream poller (the stream's second reader).

let pipeline: Pipeline;
let inserts: number;
beforeAll(async () => {
  pipeline = await testPipeline(import.meta.filename);
  await inParallel(generateTour(Date.now()), 8, (e) => pipeline.ingest(e as EcsEvent));
  const someArn = (await scanAll(pipeline.doc, pipeline.tables.eventLog))[0] as { arn: string; version: number };
  // A tamper marker (an INSERT that is not an event) and a MODIFY (not an INSERT).
  await pipeline.doc.send(
    new PutCommand({
      TableName: pipeline.tables.eventLog,
      Item: { arn: `${someArn.arn}#tampered`, version: someArn.version, detailType: 'Log Tampered', eventTime: 1 },
    }),
  );
  await pipeline.doc.send(
    new UpdateCommand({
      TableName: pipeline.tables.eventLog,
      Key: { arn: someArn.arn, version: someArn.version },
      UpdateExpression: 'SET extra = :x',
      ExpressionAttributeValues: { ':x': 1 },
    }),
  );
  inserts = (await scanAll(pipeline.doc, pipeline.tables.eventLog)).length - 1;
});
afterAll(() => pipeline.client.destroy());

describe('the archiver', () => {
  it('sends every INSERT once per batch, counts the marker and the MODIFY, drops nothing', async () => {
    const batches: ArchiveRow[][] = [];
    const sink: ArchiveSink = {
      put: async (rows) => {
        batches.push([...rows]);
        return [];
      },
    };
    const counts = zeroArchiverCounts();
    await pipeline.poller({ handler: createArchiver({ sink, counts }), batchSize: 25 }).drain();
    for (const b of batches) expect(new Set(b.map((r) => `${r.arn} ${r.version}`)).size).toBe(b.length);
    const all = batches.flat();
    expect(all).toHaveLength(inserts);
    expect(new Set(all.map((r) => `${r.arn} ${r.version}`)).size).toBe(inserts);
    expect(counts).toMatchObject({ archived: inserts, markers: 1, notInsert: 1, unreadable: 0, failed: 0 });
  });

  it('reports the rows the sink refused in batchItemFailures, and the retry delivers them', async () => {
    let refusedOnce = false;
    const delivered = new Set<string>();
    const failures: string[][] = [];
    const sink: ArchiveSink = {
      put: async (rows) => {
        if (!refusedOnce) {
          refusedOnce = true;
          for (const r of rows.slice(0, 3)) delivered.add(`${r.arn} ${r.version}`);
          return rows.map((_, i) => i).slice(3);
        }
        for (const r of rows) delivered.add(`${r.arn} ${r.version}`);
        return [];
      },
    };
    const counts = zeroArchiverCounts();
    const archiver = createArchiver({ sink, counts });
    await pipeline
      .poller({
        handler: async (event) => {
          const response = await archiver(event);
          failures.push(response.batchItemFailures.map((f) => f.itemIdentifier));
          return response;
        },
        batchSize: 25,
      })
      .drain();
    expect(failures[0]?.length).toBeGreaterThan(0);
    expect(counts.failed).toBe(failures[0]?.length);
    expect(delivered.size).toBe(inserts);
  });

  it('locally, keeps a directory current: the same rows as an export, queried through the view', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecs-live-'));
    await pipeline.poller({ handler: createArchiver({ sink: directorySink(dir) }), batchSize: 40 }).drain();
    const db = await ArchiveDb.open(dir);
    try {
      const [row] = (await db.query('SELECT count(*) AS n FROM ecs_events')).rows;
      expect(row).toEqual({ n: inserts });
    } finally {
      db.close();
    }
  });
});
