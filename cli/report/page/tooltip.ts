/// <reference lib="dom" />
import { formatMs, shortArn } from '../shared/format.js';
import { TOOLTIP_TIMES } from '../shared/payloadFormat.js';
import type { Call, Report } from './data.js';
import { GUTTER } from './geometry.js';

/**
 * The details of a task, a deployment run, a container instance or an API call, in `#tip`. Built with DOM
 * nodes and `textContent`, so no value of the log is ever parsed as markup.
 */
function add(parent: Element, tag: string, text?: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  parent.appendChild(e);
  return e;
}

/** A `dt`/`dd` pair, left out when there is no value; the `dd`, to put a list into. */
function row(dl: Element, name: string, value: string | number | null | undefined): HTMLElement | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  add(dl, 'dt', name);
  return add(dl, 'dd', String(value));
}

/** A `dd` holding a list instead of text. */
function listRow(dl: Element, name: string, tag: 'ol' | 'ul'): HTMLElement {
  add(dl, 'dt', name);
  return add(add(dl, 'dd'), tag);
}

/** `14:07:00 StopTask by alice: "scaling down" — failed AccessDenied`: a call in a task's details. */
const callLine = (c: Call, iso: (offset: number) => string): string =>
  `${iso(c.at).slice(11, 19)} ${c.action} by ${c.principal}${c.reason ? `: ${JSON.stringify(c.reason)}` : ''}${c.errorCode ? ` — failed ${c.errorCode}` : ''}`;

/** Where the tip goes: at the pointer, or under the item (keyboard focus). */
export interface Point {
  readonly left: number;
  readonly top: number;
}

export class Tooltip {
  /** Pinned by a click or Enter: it then stays when the pointer or the focus moves on. */
  pinned = false;

  constructor(
    private readonly report: Report,
    private readonly tip: HTMLElement,
    private readonly wrap: HTMLElement,
  ) {}

  show(item: Element, at?: Point): void {
    const i = Number(item.getAttribute('data-i'));
    this.tip.replaceChildren();
    if (item.classList.contains('t')) this.task(i);
    else if (item.classList.contains('dep')) this.deployment(i);
    else if (item.classList.contains('call')) this.call(i);
    else this.instance(i);
    this.tip.hidden = false;
    const tw = this.tip.offsetWidth;
    const th = this.tip.offsetHeight;
    let x: number;
    let y: number;
    let anchor: Point;
    if (at) {
      x = at.left + 14;
      y = at.top + 14;
      anchor = at;
    } else {
      const r = item.getBoundingClientRect();
      x = Math.max(r.left, this.wrap.getBoundingClientRect().left + GUTTER);
      y = r.bottom + 6;
      anchor = r;
    }
    // Kept inside the viewport: left of its place, or above it, when it would overflow.
    if (x + tw > innerWidth - 8) x = Math.max(8, innerWidth - tw - 8);
    if (y + th > innerHeight - 8) y = Math.max(8, anchor.top - th - 8);
    this.tip.style.left = `${x}px`;
    this.tip.style.top = `${y}px`;
  }

  hideUnlessPinned(): void {
    if (!this.pinned) this.tip.hidden = true;
  }

  /** Out of the way while a drag pans, pinned or not. */
  conceal(): void {
    this.tip.hidden = true;
  }

  hide(): void {
    this.tip.hidden = true;
    this.pin(false);
  }

  pin(on: boolean): void {
    this.pinned = on;
    this.tip.classList.toggle('pinned', on);
  }

  private task(i: number): void {
    const { data, iso } = this.report;
    const t = this.report.tasks[i];
    if (t === undefined) return;
    add(this.tip, 'div', t.arn, 'arn');
    const dl = add(this.tip, 'dl');
    row(dl, 'service', data.groups[t.group]?.[0]);
    row(dl, 'task definition', t.taskDefinition);
    const cp = t.capacityProvider;
    row(dl, 'launch type', (t.launchType || '') + (cp && cp !== t.launchType ? ` (${cp})` : ''));
    if (t.instance) {
      const inst = data.inst.find((x) => x.arn === t.instance);
      row(dl, 'instance', inst?.ec2 ? `${inst.ec2} (${shortArn(t.instance)})` : shortArn(t.instance));
    }
    row(dl, 'started by', t.startedBy);
    TOOLTIP_TIMES.forEach(([, label], k) => {
      row(dl, label, iso(t.times[k]));
    });
    const ol = listRow(dl, 'states', 'ol');
    t.states.forEach(({ status, start }, k) => {
      const next = t.states[k + 1];
      const dur =
        next !== undefined
          ? ` for ${formatMs(next.start - start)}`
          : status === 'STOPPED'
            ? ''
            : ' (still, at the window end)';
      add(ol, 'li', `${status} at ${iso(start).slice(11)}${dur}`);
    });
    row(dl, 'stop code', t.stopCode);
    row(dl, 'stopped reason', t.stoppedReason);
    const calls = this.report.callsOf.get(i);
    if (calls) {
      const ul = listRow(dl, 'API calls', 'ul');
      ul.style.margin = '0';
      ul.style.paddingLeft = '16px';
      for (const k of calls) {
        const c = this.report.calls[k];
        if (c) add(ul, 'li', callLine(c, iso));
      }
    }
    if (t.containers.length > 0) {
      const ul = listRow(dl, 'containers', 'ul');
      ul.style.margin = '0';
      ul.style.paddingLeft = '16px';
      for (const c of t.containers) {
        const parts = [c.name || '?', c.lastStatus || ''];
        if (c.exitCode !== null) parts.push(`exit code ${c.exitCode}`);
        add(ul, 'li', parts.filter(Boolean).join(', ') + (c.reason ? ` — ${c.reason}` : ''));
      }
    }
  }

  private call(i: number): void {
    const { iso } = this.report;
    const c = this.report.calls[i];
    if (c === undefined) return;
    add(this.tip, 'div', `${c.action} by ${c.principal}`, 'arn');
    const dl = add(this.tip, 'dl');
    row(dl, 'action', c.action);
    row(dl, 'principal', c.principal);
    row(dl, 'principal ARN', c.principalArn);
    row(dl, 'time', iso(c.at));
    row(dl, 'resource', c.resource);
    row(dl, 'error', c.errorCode);
    row(dl, c.action === 'UpdateContainerInstancesState' ? 'status' : 'reason', c.reason);
  }

  private deployment(i: number): void {
    const { iso } = this.report;
    const d = this.report.data.deps[i];
    if (d === undefined) return;
    add(this.tip, 'div', d.id, 'arn');
    const dl = add(this.tip, 'dl');
    row(dl, 'service', shortArn(d.svc));
    row(dl, 'task definition', d.td);
    row(dl, 'outcome', d.o === 'rolled back' ? `rolled back to ${d.to}` : d.o);
    row(dl, 'rollback of', d.of);
    row(dl, 'start', iso(d.s));
    row(dl, 'end', d.e === null ? undefined : iso(d.e));
    row(dl, 'duration', d.e === null ? undefined : formatMs(d.e - d.s));
    row(dl, 'reason', d.r);
    row(dl, 'changes', d.ch.map(([step, at]) => `${step} ${iso(at).slice(11)}`).join(' → '));
  }

  private instance(i: number): void {
    const { iso, str } = this.report;
    const inst = this.report.data.inst[i];
    if (inst === undefined) return;
    add(this.tip, 'div', inst.arn, 'arn');
    const dl = add(this.tip, 'dl');
    row(dl, 'EC2 instance', inst.ec2);
    const time = (offset: number) => iso(offset).slice(11);
    const spans = (list: typeof inst.sp) =>
      list.map(([s, a, b]) => `${str(s)} ${time(a)}${b === null ? '' : ` – ${time(b)}`}`).join('; ');
    row(dl, 'status', spans(inst.sp));
    row(dl, 'agent disconnected', inst.dc.map(([a, b]) => `${time(a)} – ${b === null ? 'end' : time(b)}`).join('; '));
    row(dl, 'health', spans(inst.h));
  }
}
