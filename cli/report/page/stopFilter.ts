/// <reference lib="dom" />
import type { Focus } from './focus.js';

/**
 * "show N in chart" of the stop-reason table: highlights the group's task bars (the others are
 * dimmed by `#chart.filtering`) and focuses the first. The same link again, or Escape, clears it.
 */
export class StopFilter {
  private group = -1;

  constructor(
    private readonly stops: readonly (readonly number[])[],
    private readonly svg: SVGSVGElement,
    private readonly wrap: HTMLElement,
    private readonly bars: HTMLCollection,
    private readonly focus: Focus,
  ) {
    for (const a of document.querySelectorAll<HTMLAnchorElement>('a.show-stop')) {
      a.addEventListener('click', (e) => {
        e.preventDefault();
        this.toggle(Number(a.getAttribute('data-stop-group')), a);
      });
    }
  }

  clear(): void {
    if (this.group < 0) return;
    for (const i of this.stops[this.group] ?? []) this.bars[i]?.classList.remove('hl');
    for (const r of document.querySelectorAll('tr.hl')) r.classList.remove('hl');
    this.svg.classList.remove('filtering');
    this.group = -1;
  }

  private toggle(g: number, link: Element): void {
    const again = g === this.group;
    this.clear();
    if (again) return;
    this.group = g;
    const tasks = this.stops[g] ?? [];
    for (const i of tasks) this.bars[i]?.classList.add('hl');
    link.closest('tr')?.classList.add('hl');
    this.svg.classList.add('filtering');
    this.wrap.scrollIntoView({ block: 'start' });
    if (tasks.length > 0) this.focus.focusTask(tasks[0]);
  }
}
