/** `items` in consecutive slices of at most `size` (the last one shorter): batches for an API's limit. */
export const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
