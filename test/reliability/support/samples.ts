import type { EcsEvent } from '../../../domain/eventTypes.js';
import { loadSamples } from '../../../sim/samples.js';

/** The AWS documentation samples of the given prefixes, moved to `account` so their ARNs are fresh in shared tables. */
export function samplesIn(account: string, ...prefixes: string[]): EcsEvent[] {
  return prefixes.flatMap((prefix) =>
    [...loadSamples(prefix).values()].map(
      (e) => JSON.parse(JSON.stringify(e).replace(/111122223333|123456789012/g, account)) as EcsEvent,
    ),
  );
}
