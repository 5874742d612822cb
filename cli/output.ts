/** An aligned plain-text table for terminals. */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const cells = [headers, ...rows.map((r) => r.map(text))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => text(r[c]).length)));
  const line = (r: readonly unknown[]) =>
    r
      .map((v, c) => text(v).padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n')}\n`;
}
