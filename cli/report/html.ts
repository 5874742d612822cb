import { clusterNameOf } from '../../domain/arn.js';
import type { LifecycleReport } from '../../domain/lifecycle/report.js';
import { toIso } from '../../domain/time.js';
import { REASON_READS } from '../../usecases/lifecycleData.js';
import { pageAssets } from './assets.js';
import { legendHtml } from './legend.js';
import { callsOfReport, type ReportCalls, reportPayload } from './payload.js';
import { html, raw } from './shared/markup.js';
import { latencyTableHtml, stopsTableHtml } from './tables.js';

// What `ecs-events stats` and the domain tests import from the report's renderer.
export { formatMs } from './shared/format.js';
export { escapeHtml } from './shared/markup.js';

/**
 * The lifecycle report as one self-contained HTML file: the tables (latency, stop reasons) are
 * written here, the chart is drawn in the browser by the page script (page/*.ts, bundled) from the
 * JSON embedded in the page. Nothing is fetched: styles and scripts are inline, and a
 * Content-Security-Policy with `default-src 'none'` makes the browser refuse any request the page
 * might still try.
 */

/**
 * JSON that is safe inside `<script type="application/json">`: every `<` written as `\u003c`, so no
 * `</script` or `<!--` can end or change the element, and the line separators that old parsers trip on escaped.
 */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

export interface RenderOptions {
  /** When the report was made (epoch ms), shown in the footer. */
  readonly generatedAt: number;
  /** The ECS API calls of the window (none when not given). */
  readonly calls?: ReportCalls | undefined;
}

export function renderReportHtml(report: LifecycleReport, options: RenderOptions): string {
  const { css, js, scriptHash } = pageAssets();
  const name = clusterNameOf(report.clusterArn);
  const since = toIso(report.window.sinceMs);
  const until = toIso(report.window.untilMs);
  const calls = callsOfReport(report, options.calls?.calls ?? []);
  const skipped = options.calls?.reasonsSkipped ?? 0;
  const payload = reportPayload(report, calls);
  const title = `ECS lifecycle report: ${name}${report.service ? ` / ${report.service}` : ''}, ${since} to ${until}`;
  const csp = `default-src 'none'; script-src '${scriptHash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>
${raw(css)}
</style>
</head>
<body>
<main id="report">
<header>
<h1>ECS lifecycle report: <span class="cluster">${name}</span>${report.service && html` <span class="svc">service ${report.service}</span>`}</h1>
<p class="window">${report.clusterArn} · from <time datetime="${since}">${since}</time> to <time datetime="${until}">${until}</time> (UTC, until exclusive)</p>
<p class="counts">${report.tasks.length} tasks · ${report.deployments.length} deployments · ${report.instances.length} container instances · ${report.stoppedTasks} tasks stopped · ${new Set(calls.map((c) => c.eventId)).size} API calls</p>
${skipped > 0 && html`<p class="note">The reasons of ${skipped} StopTask / UpdateContainerInstancesState calls were not read (the report reads ${REASON_READS} at most).</p>`}
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
<script type="application/json" id="report-data">${raw(scriptJson(payload))}</script>
<script>${raw(js)}</script>
</body>
</html>
`.text;
}
