import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CALL_DETAIL_TYPE } from '../domain/apiCalls/actions.js';
import { principalOf } from '../domain/apiCalls/principal.js';
import { startupLatencySql } from '../domain/archive/latencySql.js';
import { archiveRowOf, resourceOfKey } from '../domain/archive/row.js';
import { ARCHIVE_COLUMNS, dayOf, glueType } from '../domain/archive/schema.js';
import { dedupViewSql } from '../domain/archive/views.js';
import { encodeEvent } from '../domain/eventCodec.js';
import { parseEvent } from '../domain/parseEvent.js';
import { namedQueries, QUERIES_DIR } from '../infra/duckdb.js';
import { loadSamples } from '../sim/samples.js';

const require = createRequire(import.meta.url);
const { Parser } = require('node-sql-parser/build/trino') as typeof import('node-sql-parser');

/**
 * Constructs of valid Trino that the `trino` build of node-sql-parser (5.4.0) rejects: each is
 * removed before the text is parsed again, and the test records which queries needed it. A query
 * that fails for any other reason fails the test.
 */
const PARSER_GAPS = [
  {
    // Trino: `aggregate(x) FILTER (WHERE condition)` (Trino docs, "Filtering during aggregation").
    gap: 'aggregate FILTER (WHERE …)',
    strip(sql: string): string {
      let out = '';
      let from = 0;
      const re = /FILTER\s*\(\s*WHERE/gi;
      for (let m = re.exec(sql); m; m = re.exec(sql)) {
        out += sql.slice(from, m.index);
        let depth = 0;
        let j = m.index + m[0].indexOf('(');
        for (; j < sql.length; j++) {
          if (sql[j] === '(') depth++;
          else if (sql[j] === ')' && --depth === 0) break;
        }
        from = j + 1;
        re.lastIndex = from;
      }
      return out + sql.slice(from);
    },
  },
];

function parseTrino(sql: string): string[] {
  const parser = new Parser();
  const gaps: string[] = [];
  let text = sql;
  for (;;) {
    try {
      parser.astify(text, { database: 'trino' });
      return gaps;
    } catch (e) {
      const next = PARSER_GAPS.find((g) => !gaps.includes(g.gap) && g.strip(text) !== text);
      if (!next) throw e;
      gaps.push(next.gap);
      text = next.strip(text);
    }
  }
}

describe('the shipped queries are Trino (Athena) SQL', () => {
  it('every named query and the dedup view parse with the trino grammar; the parser gaps are recorded', () => {
    const gaps = Object.fromEntries(namedQueries().map((q) => [q.name, parseTrino(q.sql)]));
    expect(parseTrino(`SELECT * FROM (${dedupViewSql()}) AS v`)).toEqual([]);
    expect(gaps).toEqual({
      api_calls_by_principal: [],
      deployments: ['aggregate FILTER (WHERE …)'],
      image_pull_failures: [],
      long_running_tasks: ['aggregate FILTER (WHERE …)'],
      spot_interruptions: [],
      startup_latency: ['aggregate FILTER (WHERE …)'],
      stop_reasons: [],
    });
  });

  it('SQL the grammar refuses is refused (the check is not vacuous)', () => {
    expect(() => parseTrino('SELEC arn FROM ecs_events')).toThrow();
  });

  it('sql/startup_latency.sql is the text generated from domain/lifecycle/latency.ts', () => {
    expect(readFileSync(`${QUERIES_DIR}startup_latency.sql`, 'utf8')).toBe(startupLatencySql());
  });
});

const itemOf = (event: Record<string, unknown>) => {
  const parsed = parseEvent(event, { redactEnvironment: true });
  if (!parsed.ok) throw new Error(`sample does not parse: ${JSON.stringify(parsed)}`);
  const p = parsed.value;
  return {
    arn: p.arn,
    version: p.version,
    detailType: p.detailType,
    eventTime: p.eventTime,
    ingestedAt: p.eventTime + 1000,
    event: encodeEvent(JSON.stringify(p.event)).value,
  };
};

describe('archiveRowOf: one typed row per log item', () => {
  it('gives every AWS sample a row with every column, its raw event exactly, and the UTC day of its event time', () => {
    for (const [name, sample] of loadSamples()) {
      const parsed = parseEvent(sample, { redactEnvironment: true });
      if (!parsed.ok) continue;
      const item = itemOf(sample as Record<string, unknown>);
      const outcome = archiveRowOf(item);
      expect(outcome.type, name).toBe('row');
      if (outcome.type !== 'row') continue;
      const row = outcome.row;
      expect(Object.keys(row).sort(), name).toEqual([...ARCHIVE_COLUMNS.map((c) => c.name), 'day'].sort());
      expect(row.event, name).toBe(JSON.stringify(parsed.value.event));
      expect(row.day, name).toBe(new Date(item.eventTime).toISOString().slice(0, 10));
      expect(row.account, name).toBe((sample as { account: string }).account);
    }
  });

  it('takes a task’s fields as stats and stopped read them', () => {
    const task = loadSamples('task-1').get('task-1') as Record<string, unknown> & { detail: Record<string, unknown> };
    const outcome = archiveRowOf(itemOf(task));
    if (outcome.type !== 'row') throw new Error('no row');
    expect(outcome.row).toMatchObject({
      kind: 'task',
      last_status: task.detail.lastStatus,
      created_at: Date.parse(task.detail.createdAt as string),
      // exit_code is the stopped task's (stopped groups by it): none before STOPPED.
      exit_code: null,
    });
    expect((outcome.row.containers as unknown[]).length).toBe((task.detail.containers as unknown[]).length);
  });

  it('derives the call columns from the CloudTrail record (principal, action, error)', () => {
    const call = JSON.parse(readFileSync('test/fixtures/cloudtrail/run-task-access-denied.json', 'utf8'));
    const taskArn = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
    const outcome = archiveRowOf({
      arn: `${taskArn}#call`,
      version: 1,
      detailType: CALL_DETAIL_TYPE,
      eventTime: Date.parse(call.time),
      event: encodeEvent(JSON.stringify(call)).value,
    });
    if (outcome.type !== 'row') throw new Error('no row');
    expect(outcome.row).toMatchObject({
      kind: 'apiCall',
      resource: taskArn,
      principal: principalOf(call.detail.userIdentity).name,
      action: 'RunTask',
      error_code: 'AccessDenied',
    });
  });

  it('skips tamper markers and trust marks, and says why an item cannot be read', () => {
    expect(archiveRowOf({ arn: 'arn:aws:ecs:r:1:task/c/x#tampered', version: 1 })).toMatchObject({
      type: 'skip',
      reason: 'marker',
    });
    expect(archiveRowOf({ arn: 'arn:aws:ecs:r:1:task/c/x#tamper-trusted', version: 1 })).toMatchObject({
      reason: 'marker',
    });
    expect(archiveRowOf({ arn: 'a', version: 1, event: new Uint8Array([9, 9]) })).toMatchObject({
      reason: 'unreadable',
    });
  });

  it('names the resource of every key suffix, and the day in UTC', () => {
    expect(resourceOfKey('arn:x:service/c/web#other')).toBe('arn:x:service/c/web');
    expect(resourceOfKey('arn:x:task/c/1#observed-missing')).toBe('arn:x:task/c/1');
    expect(resourceOfKey('arn:x:task/c/1')).toBe('arn:x:task/c/1');
    expect(dayOf(Date.UTC(2026, 0, 1, 23, 59, 59, 999))).toBe('2026-01-01');
    expect(glueType('containers')).toBe(
      'array<struct<name:string,image:string,last_status:string,exit_code:int,reason:string>>',
    );
  });
});
