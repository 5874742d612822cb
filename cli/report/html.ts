import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { clusterNameOf } from '../../domain/arn.js';
import { InternalError } from '../../domain/errors.js';
import { LATENCY_INTERVALS, type LatencyRow, type LatencyStat } from '../../domain/lifecycle/latency.js';
import type { LifecycleReport } from '../../domain/lifecycle/report.js';
import { TASK_STATUSES } from '../../domain/lifecycle/versions.js';
import { toIso } from '../../domain/time.js';
import { shortArn } from '../output.js';
import { reportPayload } from './payload.js';

/**
 * The lifecycle report as one self-contained HTML file: the tables (latency, stop reasons) are
 * written here, the chart is drawn in the browser by page.js from the JSON embedded in the page.
 * Nothing is fetched: styles and scripts are inline, and a Content-Security-Policy with
 * `default-src 'none'` makes the browser refuse any request the page might still try.
 */
const asset = (name: string): string => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

/**
 * JSON that is safe inside `<script type="application/json">`: every `<` written as `\u003c`, so no
 * `</script` or `<!--` can end or change the element, and the line separators that old parsers trip on escaped.
 */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a < 1_000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  const s = Math.round(a / 1000);
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${sign}${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const cell = (field: string, value: number | null, text = value === null ? '–' : String(value)) =>
  `<td data-field="${field}" data-value="${value === null ? '' : value}">${escapeHtml(text)}</td>`;

const statCells = (name: string, s: LatencyStat): string =>
  [
    cell(`${name}.count`, s.count),
    ...(['p50', 'p90', 'p99', 'max'] as const).map((p) => cell(`${name}.${p}`, s[p], formatMs(s[p]))),
  ].join('');

function latencyTableHtml(rows: readonly LatencyRow[]): string {
  if (rows.length === 0) return '<p class="empty">No task was created in this window.</p>';
  const groupHead = LATENCY_INTERVALS.map((i) => `<th colspan="5" scope="colgroup">${escapeHtml(i.label)}</th>`).join(
    '',
  );
  const subHead = LATENCY_INTERVALS.map(() => '<th>n</th><th>p50</th><th>p90</th><th>p99</th><th>max</th>').join('');
  const body = rows
    .map(
      (r) =>
        `<tr data-service="${escapeHtml(r.service)}" data-task-definition="${escapeHtml(r.taskDefinition)}">` +
        `<th scope="row">${escapeHtml(r.service)}</th><td class="td">${escapeHtml(r.taskDefinition)}</td>` +
        cell('tasks', r.tasks) +
        cell('started', r.started) +
        cell('neverStarted', r.neverStarted) +
        cell('pending', r.pending) +
        LATENCY_INTERVALS.map((i) => statCells(i.name, r[i.name])).join('') +
        '</tr>',
    )
    .join('\n');
  return `<div class="scroll"><table class="latency">
<thead><tr><th rowspan="2" scope="col">Service</th><th rowspan="2" scope="col">Task definition</th><th rowspan="2" scope="col">Tasks</th><th rowspan="2" scope="col">Started</th><th rowspan="2" scope="col">Never started</th><th rowspan="2" scope="col">Not started yet</th>${groupHead}</tr>
<tr>${subHead}</tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

function stopsTableHtml(report: LifecycleReport): string {
  if (report.stops.length === 0) return '<p class="empty">No task stopped in this window.</p>';
  const body = report.stops
    .map(
      (g, i) =>
        `<tr data-stop-group="${i}">${cell('count', g.count)}<td>${escapeHtml(g.stopCode ?? '–')}</td>` +
        `<td>${g.exitCode ?? '–'}</td><td class="reason">${escapeHtml(g.stoppedReason ?? '–')}</td>` +
        `<td class="examples">${g.examples.map((a) => `<code>${escapeHtml(String(shortArn(a)))}</code>`).join('<br>')}</td>` +
        `<td><a href="#chart" class="show-stop" data-stop-group="${i}">show ${g.count} in chart</a></td></tr>`,
    )
    .join('\n');
  return `<div class="scroll"><table class="stops">
<thead><tr><th scope="col">Tasks</th><th scope="col">Stop code</th><th scope="col">Exit code</th><th scope="col">Stopped reason</th><th scope="col">Examples</th><th scope="col"></th></tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

function legendHtml(): string {
  const item = (cls: string, label: string) => `<li><span class="sw ${cls}"></span>${escapeHtml(label)}</li>`;
  return `<ul class="legend" aria-label="Legend">
${TASK_STATUSES.map((s) => item(`st-${s}`, s)).join('')}
${item('dep-completed', 'deployment completed')}${item('dep-in-progress', 'deployment in progress')}${item('dep-failed', 'deployment failed / rolled back')}
${item('in-ACTIVE', 'instance ACTIVE')}${item('in-DRAINING', 'instance DRAINING')}${item('in-INACTIVE', 'instance INACTIVE')}${item('disc', 'agent disconnected')}${item('h-IMPAIRED', 'health impaired')}
</ul>`;
}

export interface RenderOptions {
  /** When the report was made (epoch ms), shown in the footer. */
  readonly generatedAt: number;
}

export function renderReportHtml(report: LifecycleReport, options: RenderOptions): string {
  const css = asset('page.css');
  const js = asset('page.js');
  if (/<\/script/i.test(js) || /<\/style/i.test(css))
    throw new InternalError('report assets must not contain </script or </style');
  const hash = createHash('sha256').update(js).digest('base64');
  const name = clusterNameOf(report.clusterArn);
  const since = toIso(report.window.sinceMs);
  const until = toIso(report.window.untilMs);
  const title = `ECS lifecycle report: ${name}${report.service ? ` / ${report.service}` : ''}, ${since} to ${until}`;
  const csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>
${css}
</style>
</head>
<body>
<main id="report">
<header>
<h1>ECS lifecycle report: <span class="cluster">${escapeHtml(name)}</span>${report.service ? ` <span class="svc">service ${escapeHtml(report.service)}</span>` : ''}</h1>
<p class="window">${escapeHtml(report.clusterArn)} · from <time datetime="${since}">${since}</time> to <time datetime="${until}">${until}</time> (UTC, until exclusive)</p>
<p class="counts">${report.tasks.length} tasks · ${report.deployments.length} deployments · ${report.instances.length} container instances · ${report.stoppedTasks} tasks stopped</p>
<p><a class="skip" href="#latency">Skip the chart</a></p>
</header>
<section id="lifecycle" aria-labelledby="h-chart">
<h2 id="h-chart">Lifecycle</h2>
<div class="toolbar" role="toolbar" aria-label="Time axis">
<button type="button" data-zoom="in" title="Zoom in (+)">Zoom in</button>
<button type="button" data-zoom="out" title="Zoom out (−)">Zoom out</button>
<button type="button" data-zoom="reset" title="Whole window (0)">Whole window</button>
<span class="hint">Ctrl + wheel zooms, drag or Shift + wheel pans. In the chart: arrow keys move between tasks, + / − zoom, Enter pins the details, Esc closes them.</span>
</div>
${legendHtml()}
<div id="chart-wrap" class="chart-wrap">
<svg id="chart" role="group" aria-label="Task lifecycles, deployments and container instances on one time axis" aria-describedby="tip" xmlns="http://www.w3.org/2000/svg"></svg>
</div>
<div id="tip" class="tip" role="tooltip" hidden></div>
</section>
<section id="latency" aria-labelledby="h-latency">
<h2 id="h-latency">Startup latency</h2>
<p class="note">Tasks created in the window, per service and task-definition revision. Percentiles are
<strong>nearest-rank</strong>: p<em>k</em> is the value of rank ⌈<em>k</em>/100 × n⌉ in ascending order, always a measured
value; n counts the tasks that have both timestamps of the interval. Never started: stopped without a startedAt or a RUNNING state;
not started yet: neither started nor stopped by the end of the window. Same numbers as <code>ecs-events stats</code>.</p>
${latencyTableHtml(report.latency)}
</section>
<section id="stops" aria-labelledby="h-stops">
<h2 id="h-stops">Stop reasons</h2>
<p class="note">Tasks that reached STOPPED in the window, each once, grouped by stop code, stopped reason and the
exit code of the container that ended the task, as <code>ecs-events stopped</code> groups them.</p>
${stopsTableHtml(report)}
</section>
<footer><p>Made by <code>ecs-events report</code> at ${toIso(options.generatedAt)} from the immutable event log. Self-contained: no network access.</p></footer>
</main>
<script type="application/json" id="report-data">${scriptJson(reportPayload(report))}</script>
<script>${js}</script>
</body>
</html>
`;
}
