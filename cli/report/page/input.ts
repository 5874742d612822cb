/// <reference lib="dom" />
import type { Report } from './data.js';
import type { Focus } from './focus.js';
import { GUTTER } from './geometry.js';
import type { Layout } from './layout.js';
import type { StopFilter } from './stopFilter.js';
import type { Tooltip } from './tooltip.js';
import type { View } from './view.js';

/** What the listeners act on. */
export interface Controls {
  readonly report: Report;
  readonly layout: Layout;
  readonly view: View;
  readonly tooltip: Tooltip;
  readonly focus: Focus;
  readonly stopFilter: StopFilter;
  readonly svg: SVGSVGElement;
  readonly wrap: HTMLElement;
}

/** The task bar, deployment marker, instance lane or call mark an event happened in. */
const itemOf = (target: EventTarget | null): Element | null =>
  target instanceof Element ? target.closest('.t, .dep, .inst, .call') : null;

/** Pointer and keyboard: hover and focus show the details, click and Enter pin them; zoom and pan. */
export function listen(c: Controls): void {
  const { report, layout, view, tooltip, focus, svg, wrap } = c;
  const tasks = report.tasks;
  let drag: { x: number; moved: boolean; v0: number; v1: number } | null = null;

  svg.addEventListener('focusin', (e) => {
    const item = itemOf(e.target);
    if (!item) return;
    focus.focused = item;
    const t = item.classList.contains('t') ? tasks[Number(item.getAttribute('data-i'))] : undefined;
    if (t) {
      const group = report.data.groups[t.group]?.[0];
      item.setAttribute('aria-label', `task ${t.id}, ${group}, ${t.taskDefinition}, ${t.states.at(-1)?.status || ''}`);
    }
    focus.placeRing();
    if (!tooltip.pinned) tooltip.show(item);
  });
  svg.addEventListener('focusout', () => {
    focus.blur();
    tooltip.hideUnlessPinned();
  });
  svg.addEventListener('mousemove', (e) => {
    if (tooltip.pinned || drag) return;
    const item = itemOf(e.target);
    if (item) tooltip.show(item, { left: e.clientX, top: e.clientY });
    else tooltip.hideUnlessPinned();
  });
  svg.addEventListener('mouseleave', () => tooltip.hideUnlessPinned());

  svg.addEventListener('keydown', (e) => {
    const item = itemOf(e.target);
    const isTask = item?.classList.contains('t') ?? false;
    const i = isTask ? Number(item?.getAttribute('data-i')) : focus.current;
    const t = tasks[i];
    const mid = isTask && t ? t.start : (view.v0 + view.v1) / 2;
    const lane = t ? (layout.lanes[layout.laneOf[i] ?? 0] ?? []) : [];
    const li = layout.laneOf[i] ?? 0;
    const pos = layout.posOf[i] ?? 0;
    let handled = true;
    if (e.key === 'ArrowRight' && t) focus.focusTask(lane[Math.min(pos + 1, lane.length - 1)]);
    else if (e.key === 'ArrowLeft' && t) focus.focusTask(lane[Math.max(pos - 1, 0)]);
    else if (e.key === 'ArrowDown' && t)
      focus.focusTask(focus.nearestIn(Math.min(li + 1, layout.lanes.length - 1), t.start));
    else if (e.key === 'ArrowUp' && t) focus.focusTask(focus.nearestIn(Math.max(li - 1, 0), t.start));
    else if (e.key === 'Home' && t) focus.focusTask(lane[0]);
    else if (e.key === 'End' && t) focus.focusTask(lane.at(-1));
    else if (e.key === '+' || e.key === '=') view.zoomAt(0.5, mid);
    else if (e.key === '-' || e.key === '_') view.zoomAt(2, mid);
    else if (e.key === '0') view.whole();
    else if ((e.key === 'Enter' || e.key === ' ') && item) {
      tooltip.pin(!tooltip.pinned);
      if (tooltip.pinned) tooltip.show(item);
    } else if (e.key === 'Escape') {
      tooltip.hide();
      c.stopFilter.clear();
    } else handled = false;
    if (handled) e.preventDefault();
  });

  // Ctrl (or ⌘) + wheel zooms around the pointer; Shift + wheel, or a sideways wheel, pans.
  wrap.addEventListener(
    'wheel',
    (e) => {
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        view.zoomAt(Math.exp(e.deltaY * 0.002), view.offsetAt(e.clientX - svg.getBoundingClientRect().left - GUTTER));
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        view.panBy(e.deltaX || e.deltaY);
      }
    },
    { passive: false },
  );

  // A drag pans (past 4 px); a click without a drag pins the details of what it hit.
  svg.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || e.clientX - svg.getBoundingClientRect().left < GUTTER) return;
    drag = { x: e.clientX, moved: false, v0: view.v0, v1: view.v1 };
  });
  addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    if (!drag.moved && Math.abs(dx) < 4) return;
    if (!drag.moved) {
      drag.moved = true;
      svg.classList.add('panning');
      tooltip.conceal();
    }
    const d = (dx / view.plotW) * (drag.v1 - drag.v0);
    view.set(drag.v0 - d, drag.v1 - d);
  });
  addEventListener('pointerup', (e) => {
    if (!drag) return;
    const moved = drag.moved;
    drag = null;
    svg.classList.remove('panning');
    if (moved) return;
    const item = itemOf(e.target);
    if (!item) {
      tooltip.hide();
      return;
    }
    if (item.classList.contains('t')) focus.focusTask(Number(item.getAttribute('data-i')));
    else (item as SVGElement).focus();
    tooltip.pin(true);
    tooltip.show(item, { left: e.clientX, top: e.clientY });
  });

  for (const b of document.querySelectorAll('[data-zoom]')) {
    b.addEventListener('click', () => {
      const z = b.getAttribute('data-zoom');
      if (z === 'in') view.zoomAround(0.5);
      else if (z === 'out') view.zoomAround(2);
      else view.whole();
    });
  }
}
