/**
 * Captures what the process writes to stdout and stderr: Powertools Logger and Metrics write through
 * their own console on process.stdout/stderr, so this sees exactly what CloudWatch Logs would get.
 */
export interface Captured {
  /** Every complete line written so far. */
  lines(): string[];
  /** The lines that are JSON objects (structured logs and EMF documents), parsed. */
  json(): Record<string, unknown>[];
  restore(): void;
}

export function captureOutput(): Captured {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
  const lines = () => chunks.join('').split('\n').filter(Boolean);
  return {
    lines,
    json: () =>
      lines().flatMap((l) => {
        try {
          const v = JSON.parse(l) as unknown;
          return v !== null && typeof v === 'object' && !Array.isArray(v) ? [v as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      }),
    restore: () => {
      streams.forEach((s, i) => {
        s.write = originals[i] as typeof s.write;
      });
    },
  };
}

/** Sets environment variables for the duration of a test; returns the undo. */
export function setEnv(values: Record<string, string | undefined>): () => void {
  const before = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  };
  apply(values);
  return () => apply(before);
}
