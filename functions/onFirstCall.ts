/**
 * A Lambda entry point whose dependencies (clients, settings, logger) are built by `build` on its
 * first call, not when the module is imported: importing a function module creates nothing. A
 * `build` that throws (a configuration error) fails that invocation and is tried again on the next.
 */
export function onFirstCall<E, R>(build: () => (event: E) => Promise<R>): (event: E) => Promise<R> {
  let handler: ((event: E) => Promise<R>) | undefined;
  return async (event) => {
    handler ??= build();
    return handler(event);
  };
}
