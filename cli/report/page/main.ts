/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The report page's script (bundled into one inline asset by scripts/buildPage.ts): draws the
// chart from the JSON in #report-data (cli/report/payload.ts). No network, no libraries.
import { html } from '../shared/markup.js';
import { axisMarkup } from './axis.js';
import { staticMarkup } from './bars.js';
import { readReport } from './data.js';
import { Focus } from './focus.js';
import { AXIS, GUTTER, secs } from './geometry.js';
import { listen } from './input.js';
import { layOut } from './layout.js';
import { overlayMarkup } from './overlay.js';
import { StopFilter } from './stopFilter.js';
import { Tooltip } from './tooltip.js';
import { View } from './view.js';

function element<T extends Element>(id: string, type: { new (): T; prototype: T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the report page has no #${id}`);
  return el;
}

function start(root: HTMLElement): void {
  const report = readReport();
  const layout = layOut(report);
  const svg = element('chart', SVGSVGElement);
  const wrap = element('chart-wrap', HTMLElement);
  const tip = element('tip', HTMLElement);

  // The axis is a second SVG that sticks to the top of the scrolling chart.
  const axis = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  axis.setAttribute('id', 'axis');
  axis.setAttribute('aria-hidden', 'true');
  Object.assign(axis.style, { position: 'sticky', top: '0', zIndex: '1', display: 'block' });
  wrap.insertBefore(axis, svg);

  svg.innerHTML = staticMarkup(report, layout).text;
  const plot = element('plot', SVGGElement);
  const under = element('under', SVGGElement);
  const over = element('over', SVGGElement);
  const viewport = element('vp', SVGSVGElement);
  const bars = element('task-bars', SVGGElement).children;

  // The earliest a pan may go: the first start of a task that began before the window.
  const lo = report.tasks.reduce((min, t) => Math.min(min, t.start), 0);
  const view = new View(report.span, lo, () => {
    const k = view.plotW / secs(view.v1 - view.v0);
    plot.setAttribute('transform', `matrix(${k} 0 0 1 ${-secs(view.v0) * k} 0)`);
    const { axis: axisHtml, grid } = axisMarkup(view, report.data.since, layout.height);
    axis.innerHTML = axisHtml.text;
    under.innerHTML = html`${grid}`.text;
    over.innerHTML = overlayMarkup(report, layout, view).text;
    if (focus.focused) focus.placeRing();
  });
  const focus = new Focus(report, layout, view, element('ring', SVGRectElement), bars);
  const tooltip = new Tooltip(report, tip, wrap);
  const stopFilter = new StopFilter(report.data.stops, svg, wrap, bars, focus);
  listen({ report, layout, view, tooltip, focus, stopFilter, svg, wrap });

  const resize = () => {
    view.width = Math.max(wrap.clientWidth, 480);
    view.plotW = view.width - GUTTER - 8;
    const { width } = view;
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(layout.height));
    svg.setAttribute('viewBox', `0 0 ${width} ${layout.height}`);
    axis.setAttribute('width', String(width));
    axis.setAttribute('height', String(AXIS));
    viewport.setAttribute('width', String(view.plotW));
    view.drawNow();
  };
  addEventListener('resize', resize);
  resize();
  root.setAttribute('data-tasks', String(report.tasks.length));
}

const root = document.documentElement;
try {
  start(root);
  // Two frames: the first paint of the chart has happened when the second begins.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      performance.mark('data-ready');
      root.setAttribute('data-ready', '');
    }),
  );
} catch (err) {
  root.setAttribute('data-error', String(err));
  throw err;
}
