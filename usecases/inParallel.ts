/**
 * Runs fn over items with at most `limit` calls in flight; rejects on the first failure. Items may
 * be an array or any iterable, also an async one read as it goes (a file streamed line by line).
 */
export async function inParallel<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  const it = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  const workers = Array.isArray(items) ? Math.min(limit, items.length) : limit;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let r = await it.next(); !r.done; r = await it.next()) await fn(r.value);
    }),
  );
}
