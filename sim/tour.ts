// `npx tsx sim/tour.ts > tour.ndjson`: the small estate of the README's five-minute tour, as NDJSON
// on stdout (one EventBridge envelope a line, what `ecs-events load` reads).
import { pathToFileURL } from 'node:url';
import type { EcsEvent } from '../domain/eventTypes.js';
import { HOUR_MS, MINUTE_MS, recentStart } from './clock.js';
import { generateWorkload } from './clusterWorkload.js';
import { seededRandom, shuffle } from './random.js';
import { rollbackStory, type ServiceRef } from './serviceWorkload.js';
import { tourCalls } from './tourCalls.js';

const TOUR_SEED = 20261201;
/** The tour's period: it ends an hour before the run (to the hour), so every event is under 4 h old. */
const TOUR_SPAN_MS = 2 * HOUR_MS;

const WEB: ServiceRef = {
  serviceArn: 'arn:aws:ecs:us-east-1:111122223333:service/prod/web',
  clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/prod',
  region: 'us-east-1',
  account: '111122223333',
};

/**
 * The tour's estate, shuffled: the cluster `prod` with 12 task lifecycles and 2 container instances
 * (sim/clusterWorkload.ts), and the service `web` whose deployment the circuit breaker rolls back,
 * with the 4 tasks it failed to start (sim/serviceWorkload.ts rollbackStory): 99 events, 16 tasks;
 * and the 6 ECS API calls behind them (sim/tourCalls.ts): who stopped the tasks stopped by a user,
 * who started the deployments, a denied RunTask. 105 in all.
 * Seeded: the ARNs, event ids and story are the same on every run; only the times move with `nowMs`
 * (sim/clock.ts recentStart), so no STOPPED row is past its TTL and `--since 4h` finds them all.
 */
export function generateTour(nowMs: number = Date.now()): EcsEvent[] {
  const rng = seededRandom(TOUR_SEED);
  const startMs = recentStart(TOUR_SPAN_MS, nowMs);
  const estate = generateWorkload(rng, { tasks: 12, instances: 2, clusters: 1, startMs, spanMs: TOUR_SPAN_MS });
  const rollback = rollbackStory(rng, WEB, startMs + 30 * MINUTE_MS);
  const events = [...estate, ...rollback.events];
  return shuffle(rng, [...events, ...tourCalls(events, WEB)]);
}

/** The tour as NDJSON text. */
const tourNdjson = (nowMs?: number): string =>
  generateTour(nowMs)
    .map((e) => `${JSON.stringify(e)}\n`)
    .join('');

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(tourNdjson());
}
