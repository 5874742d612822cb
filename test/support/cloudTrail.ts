// The ECS API-call fixtures (test/fixtures/cloudtrail/, written from CloudTrail's documented record
// format) with their placeholder times (2026-01-01, 00:00 to 00:29) moved to end an hour before now,
// so that no test depends on the date it runs. Both forms of time move: ISO 8601 (envelope `time`,
// `eventTime`, session dates) and the "Jan 1, 2026 12:12:00 AM" rendering inside responses.
import { readdirSync, readFileSync } from 'node:fs';
import type { EcsEvent } from '../../domain/eventTypes.js';

const DIR = new URL('../fixtures/cloudtrail/', import.meta.url);
const PLACEHOLDER_START = Date.parse('2026-01-01T00:00:00Z');
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const RENDERED = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d\d):(\d\d) ([AP]M)$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const rendered = (ms: number): string => {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
};

function parseRendered(text: string): number | undefined {
  const m = RENDERED.exec(text);
  if (!m) return undefined;
  const [, mon, day, year, hour, min, sec, ampm] = m as unknown as string[];
  const h = (Number(hour) % 12) + (ampm === 'PM' ? 12 : 0);
  return Date.UTC(Number(year), MONTHS.indexOf(mon as string), Number(day), h, Number(min), Number(sec));
}

/** Every time in `value` moved by `offsetMs`, each in the form it was written in. */
export function shiftTimes<T>(value: T, offsetMs: number): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (ISO.test(v)) return new Date(Date.parse(v) + offsetMs).toISOString().replace('.000Z', 'Z');
      const ms = parseRendered(v);
      return ms === undefined ? v : rendered(ms + offsetMs);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Whole minutes, so the fixtures' minutes-apart story keeps its order and spacing. */
export const fixtureOffset = (startMs = Date.now() - 90 * 60_000): number =>
  Math.floor(startMs / 60_000) * 60_000 - PLACEHOLDER_START;

/** The accepted fixtures by file name (without `.json`), times moved by `offsetMs`. */
export function callFixtures(offsetMs = fixtureOffset()): Record<string, EcsEvent> {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  return Object.fromEntries(
    files.map((f) => [f.slice(0, -5), shiftTimes(JSON.parse(readFileSync(new URL(f, DIR), 'utf8')), offsetMs)]),
  );
}

/** The fixtures ingest must refuse (bad/), times moved likewise. */
export function badCallFixtures(offsetMs = fixtureOffset()): Record<string, unknown> {
  const bad = new URL('bad/', DIR);
  return Object.fromEntries(
    readdirSync(bad)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.slice(0, -5), shiftTimes(JSON.parse(readFileSync(new URL(f, bad), 'utf8')), offsetMs)]),
  );
}

/** The fixtures' cluster. */
export const FIXTURE_CLUSTER = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';
