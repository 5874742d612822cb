import { type Html, html } from '../shared/markup.js';
import { AXIS, GUTTER } from './geometry.js';
import type { View } from './view.js';

/** Tick steps (ms), from 1 s to 2 days: the first that leaves about 90 px between ticks is used. */
const TICKS = [
  1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5,
];
const MIN_TICK_PX = 90;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `14:05`, `14:05:30` below a minute's step, with the date at midnight (UTC). */
function tickLabel(ms: number, step: number): string {
  const d = new Date(ms);
  const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  const t = step < 6e4 ? `${hm}:${pad2(d.getUTCSeconds())}` : hm;
  return d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0
    ? `${d.toISOString().slice(5, 10)} ${t}`
    : t;
}

/** The sticky time axis above the chart, and the grid lines of its ticks (for the plot, `height` tall). */
export function axisMarkup(view: View, since: number, height: number): { axis: Html; grid: Html[] } {
  const per = (view.v1 - view.v0) / Math.max(view.plotW, 1);
  const step = TICKS.find((s) => s / per >= MIN_TICK_PX) ?? (TICKS.at(-1) as number);
  const ticks: Html[] = [];
  const grid: Html[] = [];
  for (let t = Math.ceil((since + view.v0) / step) * step; t <= since + view.v1; t += step) {
    const x = view.xOf(t - since);
    ticks.push(
      html`<g class="tick"><line x1="${GUTTER + x}" x2="${GUTTER + x}" y1="${AXIS - 6}" y2="${AXIS}"/><text x="${GUTTER + x + 3}" y="${AXIS - 9}">${tickLabel(t, step)}</text></g>`,
    );
    grid.push(html`<line class="grid" x1="${x}" x2="${x}" y1="0" y2="${height}"/>`);
  }
  const axis = html`<rect class="axis-bg" width="${view.width}" height="${AXIS}"/><text class="sub" x="6" y="17">UTC</text>${ticks}<line class="grid" x1="0" x2="${view.width}" y1="${AXIS - 0.5}" y2="${AXIS - 0.5}"/>`;
  return { axis, grid };
}
