/**
 * A one-line progress counter on stderr when it is a terminal; silent otherwise (CI logs stay clean).
 * `detail` adds other figures to the line (rows written, ...).
 */
export function progress(
  label: string,
  total: number,
  detail?: () => string,
): { tick(n?: number): void; done(): void } {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let count = 0;
  let last = 0;
  const draw = () => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(count / seconds) : 0;
    const eta = rate > 0 ? Math.ceil((total - count) / rate) : 0;
    const more = detail ? `, ${detail()}` : '';
    process.stderr.write(`\r${label}: ${count}/${total} (${rate}/s, ETA ${eta}s${more})   `);
  };
  return {
    tick(n = 1) {
      count += n;
      if (tty && Date.now() - last > 100) {
        last = Date.now();
        draw();
      }
    },
    done() {
      if (tty) {
        draw();
        process.stderr.write('\n');
      } else process.stderr.write(`${label}: ${count}/${total} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}

/**
 * The progress line of a scan that reports running totals (rebuild, verify): drawn from the first
 * report on, when the total is known. `detail` as for {@link progress}.
 */
export function scanProgress(
  label: string,
  detail?: () => string,
): { update(p: { scanned: number; total: number }): void; done(): void } {
  let bar: ReturnType<typeof progress> | undefined;
  let ticked = 0;
  return {
    update(p) {
      bar ??= progress(label, p.total, detail);
      bar.tick(p.scanned - ticked);
      ticked = p.scanned;
    },
    done: () => bar?.done(),
  };
}
