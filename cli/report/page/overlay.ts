import { deploymentClass } from '../shared/classes.js';
import { type Html, html } from '../shared/markup.js';
import type { Report } from './data.js';
import { DLANE } from './geometry.js';
import type { Layout } from './layout.js';
import type { View } from './view.js';

/** About how wide a label's character is (px), to tell whether a deployment's label fits. */
const CHAR_PX = 6.2;

/**
 * What `#over` shows at the current view, in pixels (not scaled with the plot, so markers keep
 * their shape at any zoom): the window's edges and each deployment run, a diamond at its start,
 * a bar to its end, a dashed line down through the task rows, and its label when it fits before
 * the service's next run.
 */
export function overlayMarkup(report: Report, layout: Layout, view: View): Html {
  const edges = [0, report.span]
    .map((edge) => view.xOf(edge))
    .filter((x) => x >= -1 && x <= view.plotW + 1)
    .map((x) => html`<line class="win-edge" x1="${x}" x2="${x}" y1="0" y2="${layout.height}"/>`);
  const deployments = report.data.deps.map((d, i) => {
    const y = layout.deploymentY.get(d.svc) ?? 0;
    const a = view.xOf(d.s);
    const w = Math.max(view.xOf(d.e === null ? report.span : d.e) - a, 3);
    const cls = deploymentClass(d.o);
    const label = `${d.td || d.id}${d.o === 'completed' ? '' : ` · ${d.o}`}`;
    const next = layout.nextDeploymentStart[i] ?? null;
    const room = (next === null ? view.plotW : view.xOf(next)) - (a + w + 4);
    return html`<line class="dep-line ${cls}" x1="${a}" x2="${a}" y1="${layout.tasksTop}" y2="${layout.height}"/><g class="dep ${cls}" data-deployment-id="${d.id}" data-outcome="${d.o}" data-i="${i}" tabindex="0"><rect class="${cls}" x="${a}" y="${y + 4}" width="${w}" height="${DLANE - 8}" rx="2"/><path class="${cls}" d="M${a} ${y + 1}l5 5-5 5-5-5z"/>${room > label.length * CHAR_PX && html`<text x="${a + w + 4}" y="${y + 14}">${label}</text>`}</g>`;
  });
  return html`${edges}${deployments}`;
}
