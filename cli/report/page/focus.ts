/// <reference lib="dom" />
import type { Report } from './data.js';
import { BAR, ILANE } from './geometry.js';
import type { Layout } from './layout.js';
import type { View } from './view.js';

/**
 * Keyboard focus in the chart. One task bar is in the tab order at a time (roving tabindex: the
 * last one focused), so Tab passes the chart in one step; the focused item gets a ring drawn in
 * pixels over the plot, since an outline on a scaled SVG group would scale with the zoom.
 */
export class Focus {
  /** The focused bar, deployment or instance lane, if any. */
  focused: Element | null = null;
  /** The task bar in the tab order; -1 without tasks. */
  current: number;

  constructor(
    private readonly report: Report,
    private readonly layout: Layout,
    private readonly view: View,
    private readonly ring: SVGRectElement,
    private readonly bars: HTMLCollection,
  ) {
    this.current = report.tasks.length > 0 ? 0 : -1;
  }

  /** Around the focused task bar or instance lane (a deployment marker has its own focus style). */
  placeRing(): void {
    const item = this.focused;
    const ring = this.ring;
    const i = Number(item?.getAttribute('data-i'));
    const t = this.report.tasks[i];
    let a: number;
    let b: number;
    let y: number;
    let h: number;
    if (item?.classList.contains('t') && t) {
      a = this.view.xOf(t.start);
      b = this.view.xOf(t.end);
      y = this.layout.taskY(t) - 1;
      h = BAR + 2;
    } else if (item?.classList.contains('inst')) {
      a = this.view.xOf(0);
      b = this.view.xOf(this.report.span);
      y = (this.layout.instanceY[i] ?? 0) - 1;
      h = ILANE - 2;
    } else {
      ring.setAttribute('hidden', '');
      return;
    }
    a = Math.max(a, -2);
    b = Math.min(Math.max(b, a + 3), this.view.plotW + 2);
    ring.setAttribute('x', String(a - 1));
    ring.setAttribute('width', String(Math.max(b - a + 2, 4)));
    ring.setAttribute('y', String(y));
    ring.setAttribute('height', String(h));
    ring.removeAttribute('hidden');
  }

  blur(): void {
    this.focused = null;
    this.ring.setAttribute('hidden', '');
  }

  /** Focuses task `i`, scrolling the view to it when it is out of sight. */
  focusTask(i: number | undefined): void {
    const t = i === undefined ? undefined : this.report.tasks[i];
    const el = i === undefined ? undefined : this.bars[i];
    if (i === undefined || t === undefined || el === undefined) return;
    this.bars[this.current]?.setAttribute('tabindex', '-1');
    this.current = i;
    el.setAttribute('tabindex', '0');
    const { v0, v1 } = this.view;
    if (t.end < v0 || t.start > v1) {
      const span = v1 - v0;
      this.view.set(t.start - span / 4, t.start + (3 * span) / 4);
    }
    (el as SVGElement).focus();
  }

  /** The task of lane `li` that starts nearest to `offset`. */
  nearestIn(li: number, offset: number): number | undefined {
    const tasks = this.report.tasks;
    const list = this.layout.lanes[li] ?? [];
    let best = list[0];
    for (const i of list) {
      const d = Math.abs((tasks[i]?.start ?? 0) - offset);
      if (best === undefined || d < Math.abs((tasks[best]?.start ?? 0) - offset)) best = i;
    }
    return best;
  }
}
