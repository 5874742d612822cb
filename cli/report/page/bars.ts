import { callClass, healthClass, instanceClass, stateClass } from '../shared/classes.js';
import { type Html, html } from '../shared/markup.js';
import type { Report, Task } from './data.js';
import { BAR, GUTTER, ILANE, LANE, secs } from './geometry.js';
import type { Layout } from './layout.js';

/**
 * The drawing made once: the labels, and the task bars, instance spans and call marks in seconds from `since`
 * inside `#plot`, whose transform is the zoom (so a zoom or a pan changes one attribute, not 10,000
 * bars). `#under` (grid) and `#over` (window edges, deployments) are redrawn at each view change.
 */
/** A span's width in seconds; never 0, so a zero-length state still has an element to hover. */
const widthOf = (from: number, to: number): number => Math.max(secs(to - from), 0.001);

function taskBar(report: Report, layout: Layout, t: Task, i: number): Html {
  const y = layout.taskY(t);
  const rects = t.states.map(({ status, start }, k) => {
    const next = t.states[k + 1];
    const to = next !== undefined ? next.start : status === 'STOPPED' ? start : Math.max(t.end, start);
    return html`<rect data-state="${status}" class="${stateClass(report.data.states, status)}" x="${secs(start)}" y="${y}" width="${widthOf(start, to)}" height="${BAR}"/>`;
  });
  return html`<g class="t" data-task-arn="${t.arn}" data-i="${i}" tabindex="${i === 0 ? 0 : -1}">${rects}</g>`;
}

function instanceLane(report: Report, layout: Layout, i: number): Html {
  const inst = report.data.inst[i];
  if (inst === undefined) return html``;
  const y = layout.instanceY[i] ?? 0;
  const end = (b: number | null) => (b === null ? report.span : b);
  const status = (ref: number) => report.str(ref) ?? '';
  return html`<g class="inst" data-container-instance-arn="${inst.arn}" data-i="${i}" tabindex="0">${[
    inst.sp.map(
      ([s, a, b]) =>
        html`<rect class="${instanceClass(status(s))}" data-status="${status(s)}" x="${secs(a)}" y="${y}" width="${widthOf(a, end(b))}" height="${ILANE - 4}"/>`,
    ),
    inst.dc.map(
      ([a, b]) =>
        html`<rect class="disc" data-agent="disconnected" x="${secs(a)}" y="${y}" width="${widthOf(a, end(b))}" height="4"/>`,
    ),
    inst.h.map(
      ([s, a, b]) =>
        html`<rect class="${healthClass(status(s))}" data-health="${status(s)}" x="${secs(a)}" y="${y + ILANE - 7}" width="${widthOf(a, end(b))}" height="3"/>`,
    ),
  ]}</g>`;
}

/**
 * The API calls: a vertical line at the call's time on its task's row, or on the calls lane, drawn
 * once in `#plot` like the bars; its stroke does not scale (page.css), so a mark keeps its width at
 * any zoom and a zoom step redraws nothing for it.
 */
function callMarks(report: Report, layout: Layout): Html[] {
  return report.calls.map((c, i) => {
    const task = c.task >= 0 ? report.tasks[c.task] : undefined;
    const top = task ? layout.taskY(task) - 1 : (layout.callsY ?? 0) + 2;
    const bottom = task ? top + LANE : top + ILANE - 6;
    const x = secs(c.at);
    return html`<line class="${callClass(c.errorCode !== undefined)}" data-i="${i}" data-action="${c.action}" data-resource-arn="${c.resource}" x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/>`;
  });
}

export function staticMarkup(report: Report, layout: Layout): Html {
  const labels = layout.labels.map(
    ({ cls, text, y }) =>
      html`<text class="${cls}" x="6" y="${y}">${text.length > 30 ? `${text.slice(0, 29)}…` : text}</text>`,
  );
  const instances = report.data.inst.map((_, i) => instanceLane(report, layout, i));
  const tasks = report.tasks.map((t, i) => taskBar(report, layout, t, i));
  return html`<g class="labels">${labels}</g><svg id="vp" x="${GUTTER}" y="0" height="${layout.height}" overflow="hidden"><g id="under"></g><g id="plot"><g id="inst-bars">${instances}</g><g id="task-bars">${tasks}</g><g id="call-marks">${callMarks(report, layout)}</g></g><g id="over"></g><rect id="ring" class="ring" hidden width="0" height="0"/></svg>`;
}
