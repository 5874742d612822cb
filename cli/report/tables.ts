import { LATENCY_INTERVALS, type LatencyRow, type LatencyStat } from '../../domain/lifecycle/latency.js';
import type { LifecycleReport } from '../../domain/lifecycle/report.js';
import { formatMs, shortArn } from './shared/format.js';
import { type Html, html } from './shared/markup.js';

/**
 * The report's two tables, written on the server (the page script only links them to the chart).
 * Each cell carries its field and its raw value (`data-field`, `data-value`: ms, empty for none),
 * the DOM contract of docs/report.md.
 */
const cell = (field: string, value: number | null, text = value === null ? '–' : String(value)) =>
  html`<td data-field="${field}" data-value="${value ?? ''}">${text}</td>`;

const statCells = (name: string, s: LatencyStat): Html[] => [
  cell(`${name}.count`, s.count),
  ...(['p50', 'p90', 'p99', 'max'] as const).map((p) => cell(`${name}.${p}`, s[p], formatMs(s[p]))),
];

export function latencyTableHtml(rows: readonly LatencyRow[]): Html {
  if (rows.length === 0) return html`<p class="empty">No task was created in this window.</p>`;
  const groupHead = LATENCY_INTERVALS.map((i) => html`<th colspan="5" scope="colgroup">${i.label}</th>`);
  const subHead = LATENCY_INTERVALS.map(() => html`<th>n</th><th>p50</th><th>p90</th><th>p99</th><th>max</th>`);
  const body = rows.map(
    (r) =>
      html`<tr data-service="${r.service}" data-task-definition="${r.taskDefinition}"><th scope="row">${r.service}</th><td class="td">${r.taskDefinition}</td>${[
        cell('tasks', r.tasks),
        cell('started', r.started),
        cell('neverStarted', r.neverStarted),
        cell('pending', r.pending),
        LATENCY_INTERVALS.map((i) => statCells(i.name, r[i.name])),
      ]}</tr>\n`,
  );
  return html`<div class="scroll"><table class="latency">
<thead><tr><th rowspan="2" scope="col">Service</th><th rowspan="2" scope="col">Task definition</th><th rowspan="2" scope="col">Tasks</th><th rowspan="2" scope="col">Started</th><th rowspan="2" scope="col">Never started</th><th rowspan="2" scope="col">Not started yet</th>${groupHead}</tr>
<tr>${subHead}</tr></thead>
<tbody>
${body}</tbody></table></div>`;
}

export function stopsTableHtml(report: LifecycleReport): Html {
  if (report.stops.length === 0) return html`<p class="empty">No task stopped in this window.</p>`;
  const body = report.stops.map(
    (g, i) =>
      html`<tr data-stop-group="${i}">${cell('count', g.count)}<td>${g.stopCode ?? '–'}</td><td>${g.exitCode ?? '–'}</td><td class="reason">${g.stoppedReason ?? '–'}</td><td class="examples">${g.examples.map(
        (a, k) => html`${k > 0 && html`<br>`}<code>${shortArn(a)}</code>`,
      )}</td><td><a href="#chart" class="show-stop" data-stop-group="${i}">show ${g.count} in chart</a></td></tr>\n`,
  );
  return html`<div class="scroll"><table class="stops">
<thead><tr><th scope="col">Tasks</th><th scope="col">Stop code</th><th scope="col">Exit code</th><th scope="col">Stopped reason</th><th scope="col">Examples</th><th scope="col"></th></tr></thead>
<tbody>
${body}</tbody></table></div>`;
}
