/**
 * A Lambda entry point whose dependencies (clients, settings, logger) are built by `build` on its
 * first call, not when the module is imported: importing a function module creates nothing. A
 * `build` that throws (a configuration error) fails that invocation and is tried again on the next.
 */
export function onFirstCall<A extends unknown[], R>(
  build: () => (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  let handler: ((...args: A) => Promise<R>) | undefined;
  // Every argument Lambda passes (the event, and the context that some entry points read) goes on.
  return async (...args) => {
    handler ??= build();
    return handler(...args);
  };
}
