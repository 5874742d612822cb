import { InternalError } from '../errors.js';

/**
 * Merges sources that are each ordered by time into one stream ordered by time, then by `order`
 * among items of the same time. The timeline index sorts each shard by event time only, so items
 * of one millisecond come in no defined order; they are gathered across all sources and sorted
 * before they are yielded. Holds one head per source plus the items of a single millisecond.
 */
export async function* mergeByTime<T>(
  sources: readonly AsyncIterable<T>[],
  time: (item: T) => number,
  order: (a: T, b: T) => number,
): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const heads: (T | undefined)[] = [];
  const advance = async (i: number): Promise<void> => {
    const before = heads[i];
    const r = await (iterators[i] as AsyncIterator<T>).next();
    const next = r.done ? undefined : r.value;
    if (before !== undefined && next !== undefined && time(next) < time(before)) {
      throw new InternalError(`mergeByTime: source ${i} is not ordered by time (${time(before)} then ${time(next)})`);
    }
    heads[i] = next;
  };
  try {
    await Promise.all(iterators.map((_, i) => advance(i)));
    for (;;) {
      let t = Number.POSITIVE_INFINITY;
      for (const h of heads) if (h !== undefined && time(h) < t) t = time(h);
      if (t === Number.POSITIVE_INFINITY) return;
      const tied: T[] = [];
      for (let i = 0; i < heads.length; i++) {
        while (heads[i] !== undefined && time(heads[i] as T) === t) {
          tied.push(heads[i] as T);
          await advance(i);
        }
      }
      tied.sort(order);
      yield* tied;
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}

/**
 * One resource's history from two partitions: its own events in the order read (`primary`: version
 * order, which is the order ECS says they happened) with its `#other` events (`secondary`, in time
 * order) put between them by event time; a tie goes to the primary event. The primary order is kept
 * as it is, even where two versions' event times disagree with it. Holds one item of each.
 */
export async function* interleaveByTime<T>(
  primary: AsyncIterable<T>,
  secondary: AsyncIterable<T>,
  time: (item: T) => number,
): AsyncGenerator<T> {
  const other = secondary[Symbol.asyncIterator]();
  try {
    let next = await other.next();
    for await (const item of primary) {
      while (!next.done && time(next.value) < time(item)) {
        yield next.value;
        next = await other.next();
      }
      yield item;
    }
    while (!next.done) {
      yield next.value;
      next = await other.next();
    }
  } finally {
    await other.return?.();
  }
}
