// The report page's build and its pure helpers: the inlined script is the build of its sources,
// the tagged template escapes what it inserts, and the page bundle reaches no Node-only module.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAGE_BUNDLE } from '../cli/report/assets.js';
import { renderReportHtml } from '../cli/report/html.js';
import { callsOfReport, reportPayload } from '../cli/report/payload.js';
import { formatMs, shortArn } from '../cli/report/shared/format.js';
import { escapeHtml, html, raw } from '../cli/report/shared/markup.js';
import { buildLifecycleReport } from '../domain/lifecycle/report.js';
import { bundlePageScript, pageBundleProblem } from '../scripts/buildPage.js';
import { generateLifecycleWorkload, lifecycleInputOf } from '../sim/lifecycleWorkload.js';
import { seededRandom } from '../sim/random.js';
import type { ReportCall } from '../usecases/lifecycleData.js';

describe('the page script', () => {
  it('is the build of cli/report/page/*.ts (else: npm run build:page)', async () => {
    expect(await pageBundleProblem()).toBeUndefined();
  });

  it('is one browser script: no module syntax, no require, nothing that closes its element', async () => {
    const text = await bundlePageScript();
    expect(text).toBe(readFileSync(PAGE_BUNDLE, 'utf8'));
    expect(text).not.toMatch(/<\/script|\brequire\(|\bimport\s*[{(*'"]|\bexport\s*[{*]/i);
    // The shared formatters are in it, not copies: one formatMs, one escaping table.
    expect(text.match(/&#39;/g)).toHaveLength(1);
  });
});

describe('html tagged template', () => {
  const nasty = `</script><img src=x onerror="alert('&')">`;

  it('escapes strings, inserts numbers, Html and arrays, and leaves out null, undefined and false', () => {
    const value = html`<p title="${nasty}">${nasty}</p>`.text;
    expect(value).toBe(`<p title="${escapeHtml(nasty)}">${escapeHtml(nasty)}</p>`);
    expect(value).not.toMatch(/<\/script|<img|"alert/);
    const inner = html`<b>${'a&b'}</b>`;
    expect(html`${[inner, 1.5, [0, 'x<']]}${null}${undefined}${false}|`.text).toBe('<b>a&amp;b</b>1.50x&lt;|');
    expect(html`${raw('<style>a>b{}</style>')}`.text).toBe('<style>a>b{}</style>');
    expect(String(inner)).toBe('<b>a&amp;b</b>');
  });
});

describe('shared formatters', () => {
  it('formatMs and shortArn read as the tables always showed them', () => {
    expect([850, 12_345, 245_000, 7_380_000, -1_500, null].map(formatMs)).toEqual([
      '850 ms',
      '12.3 s',
      '4 min 05 s',
      '2 h 03 min',
      '−1.50 s',
      '–',
    ]);
    expect(shortArn('arn:aws:ecs:us-east-1:111122223333:task/prod/0123')).toBe('task/prod/0123');
    expect(shortArn('arn:aws:iam::111122223333:role/x')).toBe('arn:aws:iam::111122223333:role/x');
    expect(shortArn(undefined)).toBeUndefined();
  });
});

/** A call row's fields that a row leaves out. */
const none = { principalArn: undefined, task: undefined, resource: undefined, error: undefined, reason: undefined };

describe('the API calls in the payload', () => {
  // A fixed window (the report builder is pure: no date matters here).
  const T0 = Date.parse('2026-03-01T10:00:00Z');
  const MIN = 60_000;
  const workload = generateLifecycleWorkload(seededRandom(22), { startMs: T0, spanMs: 60 * MIN, tasks: 60 });
  const options = { clusterArn: workload.clusterArn, window: { sinceMs: T0, untilMs: T0 + 60 * MIN } };
  const input = lifecycleInputOf(workload.events);
  const report = buildLifecycleReport(input, options);
  const task = report.tasks.find((t) => t.service === 'web') ?? report.tasks[0];
  const other = report.tasks.find((t) => t.service !== 'web');
  if (!task || !other) throw new Error('the workload has no tasks of two services');
  const service = (name: string) => workload.clusterArn.replace(':cluster/', ':service/').concat(`/${name}`);
  const call = (c: Partial<ReportCall> & Pick<ReportCall, 'resourceArn' | 'action'>, minute: number): ReportCall => ({
    eventId: `${c.action}-${minute}`,
    principal: 'alice',
    eventTime: T0 + minute * MIN,
    ...c,
  });
  const calls: ReportCall[] = [
    call({ action: 'StopTask', resourceArn: task.taskArn, reason: 'stuck </script> pool' }, 5),
    call(
      { action: 'ExecuteCommand', resourceArn: other.taskArn, principalArn: 'arn:aws:iam::111122223333:user/alice' },
      6,
    ),
    call({ action: 'UpdateService', resourceArn: service('web'), principal: 'deploy/gha-1' }, 7),
    // The old ARN format of a service: `service/<name>`, matched by name.
    call({ action: 'UpdateService', resourceArn: service('web').replace('/prod/', '/'), principal: 'bob' }, 8),
    call({ action: 'UpdateService', resourceArn: service('api') }, 9),
    call({ action: 'RunTask', resourceArn: workload.clusterArn, errorCode: 'AccessDenied', principal: 'ci/pr-1' }, 10),
  ];

  it('one row per call: time from since, a task index for a call on a task of the chart, else the resource', () => {
    const p = reportPayload(report, calls);
    const str = (ref: number) => (ref < 0 ? undefined : p.str[ref]);
    const rows = p.calls.map(([at, action, principal, principalArn, t, resource, error, reason]) => ({
      at,
      action: str(action),
      principal: str(principal),
      principalArn: str(principalArn),
      task: t < 0 ? undefined : `${p.prefix}${p.tasks[t]?.[0]}`,
      resource: str(resource),
      error: str(error),
      reason: str(reason),
    }));
    expect(rows).toEqual([
      {
        ...none,
        at: 5 * MIN,
        action: 'StopTask',
        principal: 'alice',
        task: task.taskArn,
        reason: 'stuck </script> pool',
      },
      {
        ...none,
        at: 6 * MIN,
        action: 'ExecuteCommand',
        principal: 'alice',
        principalArn: 'arn:aws:iam::111122223333:user/alice',
        task: other.taskArn,
      },
      { ...none, at: 7 * MIN, action: 'UpdateService', principal: 'deploy/gha-1', resource: service('web') },
      {
        ...none,
        at: 8 * MIN,
        action: 'UpdateService',
        principal: 'bob',
        resource: service('web').replace('/prod/', '/'),
      },
      { ...none, at: 9 * MIN, action: 'UpdateService', principal: 'alice', resource: service('api') },
      {
        ...none,
        at: 10 * MIN,
        action: 'RunTask',
        principal: 'ci/pr-1',
        resource: workload.clusterArn,
        error: 'AccessDenied',
      },
    ]);
    // Compact: a call adds about 30 bytes of JSON once its strings are in the table.
    const bytes = (n: number) => JSON.stringify(reportPayload(report, Array(n).fill(calls[0]))).length;
    expect((bytes(1001) - bytes(1)) / 1000).toBeLessThan(40);
    expect(reportPayload(report).calls).toEqual([]);
  });

  it('with --service: its tasks, itself (by name, either ARN format) and the cluster; not other services', () => {
    const web = buildLifecycleReport(input, { ...options, service: 'web' });
    expect(callsOfReport(web, calls).map((c) => c.eventId)).toEqual([
      'StopTask-5',
      'UpdateService-7',
      'UpdateService-8',
      'RunTask-10',
    ]);
    expect(callsOfReport(report, calls)).toEqual(calls);
  });

  it('the page counts the calls, and no reason can close the data element', () => {
    const page = renderReportHtml(report, { generatedAt: T0, calls: { calls, reasonsSkipped: 3 } });
    expect(page).toContain('· 6 API calls');
    expect(page).toContain('The reasons of 3 StopTask / UpdateContainerInstancesState calls were not read');
    expect(page).toContain('stuck \\u003c/script> pool');
    expect(page.match(/<\/script>/g)).toHaveLength(2);
  });
});
