// The report page's only script: draws the chart from the JSON in #report-data (cli/report/payload.ts).
// No network, no libraries. One SVG <g data-task-arn> per task; the bars are drawn in seconds from
// `since` inside one group whose transform is the zoom, so zooming and panning change one attribute.
(() => {
  const D = JSON.parse(document.getElementById('report-data').textContent);
  const S = D.str;
  const str = (i) => (i === null || i === undefined || i < 0 ? undefined : S[i]);
  // Field positions and the known task states come with the data (payload.ts), so they are defined once.
  const F = Object.fromEntries(D.fields.map((f, i) => [f, i]));
  const TIME_NAMES = ['created', 'pull started', 'pull stopped', 'started', 'stopping', 'stopped'];
  const KNOWN_STATES = new Set(D.states);
  const KNOWN_INSTANCE = new Set(['ACTIVE', 'DRAINING', 'INACTIVE']);
  const GUTTER = 200;
  const AXIS = 28;
  const LANE = 10;
  const BAR = 8;
  const ILANE = 16;
  const DLANE = 20;
  const HEAD = 20;
  const SPAN = Math.max(1, D.until - D.since);

  const root = document.documentElement;
  const svg = document.getElementById('chart');
  const wrap = document.getElementById('chart-wrap');
  const tip = document.getElementById('tip');
  const NS = 'http://www.w3.org/2000/svg';

  const esc = (s) =>
    String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const secs = (ms) => Math.round(ms) / 1000;
  const iso = (off) => (off === null || off === undefined ? '' : new Date(D.since + off).toISOString());
  const fmtMs = (ms) => {
    if (ms === null || ms === undefined) return '–';
    const a = Math.abs(ms);
    const sign = ms < 0 ? '−' : '';
    if (a < 1000) return `${sign}${Math.round(a)} ms`;
    if (a < 60000) return `${sign}${(a / 1000).toFixed(a < 10000 ? 2 : 1)} s`;
    const s = Math.round(a / 1000);
    if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
    return `${sign}${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  };
  const shortArn = (arn) => (arn ? arn.split(':').slice(5).join(':') : '');
  const stateClass = (s) => (KNOWN_STATES.has(s) ? `st-${s}` : 'st-other');
  const instClass = (s) => (KNOWN_INSTANCE.has(s) ? `in-${s}` : 'in-other');
  const healthClass = (s) => (s === 'OK' ? 'h-OK' : s === 'IMPAIRED' ? 'h-IMPAIRED' : 'h-other');
  const depClass = (o) => `dep-${o.replace(/ /g, '-')}`;

  // ---- Layout: deployments, then container instances, then the task groups, top to bottom. ----
  const tasks = D.tasks;
  const services = [...new Set(D.deps.map((d) => d.svc))].sort();
  const labels = [];
  let y = 6;
  const depY = new Map();
  if (services.length > 0) {
    labels.push(['section', 'Deployments', y + 13]);
    y += HEAD;
    for (const s of services) {
      depY.set(s, y);
      labels.push(['', s.slice(s.lastIndexOf('/') + 1), y + 13]);
      y += DLANE;
    }
  }
  const instY = [];
  if (D.inst.length > 0) {
    labels.push(['section', 'Container instances', y + 13]);
    y += HEAD;
    D.inst.forEach((inst, i) => {
      instY[i] = y;
      labels.push(['', inst.ec2 || shortArn(inst.arn).slice(-24), y + 11]);
      y += ILANE;
    });
  }
  const tasksTop = y;
  labels.push(['section', `Tasks (${tasks.length})`, y + 13]);
  y += HEAD;
  const groupY = [];
  const groupCount = D.groups.map(() => 0);
  for (const t of tasks) groupCount[t[F.group]]++;
  D.groups.forEach(([name, lanes], g) => {
    labels.push(['glabel', `${name} (${groupCount[g]})`, y + 13]);
    groupY[g] = y + HEAD;
    y += HEAD + lanes * LANE + 6;
  });
  if (tasks.length === 0) labels.push(['sub', 'No task in this window.', y + 13]);
  const height = y + 16;
  const taskY = (t) => groupY[t[F.group]] + t[F.lane] * LANE;

  // Per lane, the tasks in start order (keyboard navigation).
  const laneIndex = new Map();
  const lanes = [];
  const laneOf = new Int32Array(tasks.length);
  const posOf = new Int32Array(tasks.length);
  const startOf = (t) => (t[F.states].length > 1 ? t[F.states][1] : 0);
  tasks.forEach((t, i) => {
    const key = t[F.group] * 1e6 + t[F.lane];
    let l = laneIndex.get(key);
    if (l === undefined) {
      l = { key, tasks: [] };
      laneIndex.set(key, l);
      lanes.push(l);
    }
    l.tasks.push(i);
  });
  lanes.sort((a, b) => a.key - b.key);
  lanes.forEach((l, li) => {
    l.tasks.sort((a, b) => startOf(tasks[a]) - startOf(tasks[b]));
    l.tasks.forEach((i, p) => {
      laneOf[i] = li;
      posOf[i] = p;
    });
  });

  // ---- The static drawing: labels, task bars and instance spans (in seconds), once. ----
  const taskEnd = (t) => {
    const st = t[F.states];
    return st.length >= 2 && S[st[st.length - 2]] === 'STOPPED' ? st[st.length - 1] : SPAN;
  };
  function taskMarkup(t, i) {
    const st = t[F.states];
    const yy = taskY(t);
    const end = taskEnd(t);
    let out = `<g class="t" data-task-arn="${esc(D.prefix + t[F.id])}" data-i="${i}" tabindex="${i === 0 ? 0 : -1}">`;
    for (let k = 0; k < st.length; k += 2) {
      const name = S[st[k]];
      const from = st[k + 1];
      const to = k + 3 < st.length ? st[k + 3] : name === 'STOPPED' ? from : Math.max(end, from);
      const w = Math.max(secs(to - from), 0.001);
      out += `<rect data-state="${esc(name)}" class="${stateClass(name)}" x="${secs(from)}" y="${yy}" width="${w}" height="${BAR}"/>`;
    }
    return `${out}</g>`;
  }
  function instMarkup(inst, i) {
    const yy = instY[i];
    let out = `<g class="inst" data-container-instance-arn="${esc(inst.arn)}" data-i="${i}" tabindex="0">`;
    const w = (a, b) => Math.max(secs((b === null ? SPAN : b) - a), 0.001);
    for (const [s, a, b] of inst.sp) {
      out += `<rect class="${instClass(S[s])}" data-status="${esc(S[s])}" x="${secs(a)}" y="${yy}" width="${w(a, b)}" height="${ILANE - 4}"/>`;
    }
    for (const [a, b] of inst.dc) {
      out += `<rect class="disc" data-agent="disconnected" x="${secs(a)}" y="${yy}" width="${w(a, b)}" height="4"/>`;
    }
    for (const [s, a, b] of inst.h) {
      out += `<rect class="${healthClass(S[s])}" data-health="${esc(S[s])}" x="${secs(a)}" y="${yy + ILANE - 7}" width="${w(a, b)}" height="3"/>`;
    }
    return `${out}</g>`;
  }

  const axis = document.createElementNS(NS, 'svg');
  axis.setAttribute('id', 'axis');
  axis.setAttribute('aria-hidden', 'true');
  axis.style.position = 'sticky';
  axis.style.top = '0';
  axis.style.zIndex = '1';
  axis.style.display = 'block';
  wrap.insertBefore(axis, svg);

  let width = 0;
  let plotW = 0;
  let v0 = 0;
  let v1 = SPAN;

  function buildStatic() {
    const parts = [];
    parts.push('<g class="labels">');
    for (const [cls, text, ly] of labels)
      parts.push(
        `<text class="${cls}" x="6" y="${ly}">${esc(text.length > 30 ? `${text.slice(0, 29)}…` : text)}</text>`,
      );
    parts.push('</g>');
    parts.push(`<svg id="vp" x="${GUTTER}" y="0" height="${height}" overflow="hidden">`);
    parts.push('<g id="under"></g><g id="plot">');
    parts.push('<g id="inst-bars">');
    D.inst.forEach((inst, i) => {
      parts.push(instMarkup(inst, i));
    });
    parts.push('</g><g id="task-bars">');
    // Chunks keep the string builder's pieces small on 10,000 tasks.
    let chunk = '';
    for (let i = 0; i < tasks.length; i++) {
      chunk += taskMarkup(tasks[i], i);
      if (chunk.length > 65536) {
        parts.push(chunk);
        chunk = '';
      }
    }
    parts.push(chunk, '</g></g><g id="over"></g><rect id="ring" class="ring" hidden width="0" height="0"/></svg>');
    svg.innerHTML = parts.join('');
  }

  // ---- What changes with the zoom: the plot transform, the axis, grid, deployment markers. ----
  const TICKS = [
    1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5,
  ];
  const xOf = (off) => ((off - v0) / (v1 - v0)) * plotW;
  const pad2 = (n) => String(n).padStart(2, '0');
  function tickLabel(ms, step) {
    const d = new Date(ms);
    const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    const t = step < 6e4 ? `${hm}:${pad2(d.getUTCSeconds())}` : hm;
    return d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0
      ? `${d.toISOString().slice(5, 10)} ${t}`
      : t;
  }
  function drawAxis() {
    const per = (v1 - v0) / Math.max(plotW, 1);
    const step = TICKS.find((s) => s / per >= 90) || TICKS[TICKS.length - 1];
    const a0 = D.since + v0;
    const parts = [
      `<rect class="axis-bg" width="${width}" height="${AXIS}"/>`,
      `<text class="sub" x="6" y="17">UTC</text>`,
    ];
    const grid = [];
    for (let t = Math.ceil(a0 / step) * step; t <= D.since + v1; t += step) {
      const x = GUTTER + xOf(t - D.since);
      parts.push(
        `<g class="tick"><line x1="${x}" x2="${x}" y1="${AXIS - 6}" y2="${AXIS}"/><text x="${x + 3}" y="${AXIS - 9}">${tickLabel(t, step)}</text></g>`,
      );
      grid.push(`<line class="grid" x1="${x - GUTTER}" x2="${x - GUTTER}" y1="0" y2="${height}"/>`);
    }
    parts.push(`<line class="grid" x1="0" x2="${width}" y1="${AXIS - 0.5}" y2="${AXIS - 0.5}"/>`);
    axis.innerHTML = parts.join('');
    return grid;
  }
  function drawOverlay() {
    const grid = drawAxis();
    const under = document.getElementById('under');
    under.innerHTML = grid.join('');
    const parts = [];
    for (const edge of [0, SPAN]) {
      const x = xOf(edge);
      if (x >= -1 && x <= plotW + 1) parts.push(`<line class="win-edge" x1="${x}" x2="${x}" y1="0" y2="${height}"/>`);
    }
    // A label goes right of its run when it fits before the service's next run (about 6 px a character).
    const nextStart = D.deps.map((d) => {
      const later = D.deps.filter((o) => o.svc === d.svc && o.s > d.s).map((o) => o.s);
      return later.length > 0 ? Math.min(...later) : null;
    });
    D.deps.forEach((d, i) => {
      const yy = depY.get(d.svc);
      const a = xOf(d.s);
      const b = xOf(d.e === null ? SPAN : d.e);
      const w = Math.max(b - a, 3);
      const cls = depClass(d.o);
      parts.push(`<line class="dep-line ${cls}" x1="${a}" x2="${a}" y1="${tasksTop}" y2="${height}"/>`);
      const label = `${d.td || d.id}${d.o === 'completed' ? '' : ` · ${d.o}`}`;
      const room = (nextStart[i] === null ? plotW : xOf(nextStart[i])) - (a + w + 4);
      parts.push(
        `<g class="dep ${cls}" data-deployment-id="${esc(d.id)}" data-outcome="${esc(d.o)}" data-i="${i}" tabindex="0">` +
          `<rect class="${cls}" x="${a}" y="${yy + 4}" width="${w}" height="${DLANE - 8}" rx="2"/>` +
          `<path class="${cls}" d="M${a} ${yy + 1}l5 5-5 5-5-5z"/>` +
          (room > label.length * 6.2 ? `<text x="${a + w + 4}" y="${yy + 14}">${esc(label)}</text>` : '') +
          '</g>',
      );
    });
    document.getElementById('over').innerHTML = parts.join('');
    if (focused) placeRing(focused);
  }
  let frame = 0;
  function apply() {
    frame = 0;
    const k = plotW / secs(v1 - v0);
    document.getElementById('plot').setAttribute('transform', `matrix(${k} 0 0 1 ${-secs(v0) * k} 0)`);
    drawOverlay();
  }
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(apply);
  };
  function resize() {
    width = Math.max(wrap.clientWidth, 480);
    plotW = width - GUTTER - 8;
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    axis.setAttribute('width', width);
    axis.setAttribute('height', AXIS);
    document.getElementById('vp').setAttribute('width', plotW);
    apply();
  }

  const MIN_SPAN = 1000;
  const lo = Math.min(0, ...tasks.slice(0, 50000).map((t) => startOf(t)));
  function setView(a, b) {
    const span = Math.min(Math.max(b - a, MIN_SPAN), SPAN - lo);
    const from = b - a === span ? a : (a + b) / 2 - span / 2;
    v0 = Math.min(Math.max(from, lo), SPAN - span);
    v1 = v0 + span;
    schedule();
  }
  const zoomAt = (factor, off) => setView(off - (off - v0) * factor, off + (v1 - off) * factor);
  const panBy = (px) => {
    const d = (px / plotW) * (v1 - v0);
    setView(v0 + d, v1 + d);
  };
  const offAtClientX = (clientX) => v0 + ((clientX - svg.getBoundingClientRect().left - GUTTER) / plotW) * (v1 - v0);

  // ---- Tooltip ----
  function add(parent, tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    parent.appendChild(e);
    return e;
  }
  function row(dl, name, value) {
    if (value === undefined || value === null || value === '') return;
    add(dl, 'dt', name);
    return add(dl, 'dd', String(value));
  }
  function taskTip(i) {
    const t = tasks[i];
    tip.replaceChildren();
    add(tip, 'div', D.prefix + t[F.id], 'arn');
    const dl = add(tip, 'dl');
    row(dl, 'service', D.groups[t[F.group]][0]);
    row(dl, 'task definition', str(t[F.taskDefinition]));
    const cp = str(t[F.capacityProvider]);
    row(dl, 'launch type', (str(t[F.launchType]) || '') + (cp && cp !== str(t[F.launchType]) ? ` (${cp})` : ''));
    const instArn = str(t[F.instance]);
    if (instArn) {
      const inst = D.inst.find((x) => x.arn === instArn);
      row(dl, 'instance', inst?.ec2 ? `${inst.ec2} (${shortArn(instArn)})` : shortArn(instArn));
    }
    row(dl, 'started by', str(t[F.startedBy]));
    t[F.times].forEach((off, k) => {
      row(dl, TIME_NAMES[k], iso(off));
    });
    const st = t[F.states];
    const dd = row(dl, 'states', ' ');
    if (dd) {
      dd.textContent = '';
      const ol = add(dd, 'ol');
      for (let k = 0; k < st.length; k += 2) {
        const name = S[st[k]];
        const next = k + 3 < st.length ? st[k + 3] : undefined;
        const dur =
          next !== undefined
            ? ` for ${fmtMs(next - st[k + 1])}`
            : name === 'STOPPED'
              ? ''
              : ' (still, at the window end)';
        add(ol, 'li', `${name} at ${iso(st[k + 1]).slice(11)}${dur}`);
      }
    }
    row(dl, 'stop code', str(t[F.stopCode]));
    row(dl, 'stopped reason', str(t[F.stoppedReason]));
    const cs = t[F.containers];
    if (cs.length > 0) {
      const cd = row(dl, 'containers', ' ');
      cd.textContent = '';
      const ul = add(cd, 'ul');
      ul.style.margin = '0';
      ul.style.paddingLeft = '16px';
      for (const [n, ls, exit, reason] of cs) {
        const parts = [str(n) || '?', str(ls) || ''];
        if (exit !== null) parts.push(`exit code ${exit}`);
        const reasonText = str(reason);
        add(ul, 'li', parts.filter(Boolean).join(', ') + (reasonText ? ` — ${reasonText}` : ''));
      }
    }
  }
  function depTip(i) {
    const d = D.deps[i];
    tip.replaceChildren();
    add(tip, 'div', d.id, 'arn');
    const dl = add(tip, 'dl');
    row(dl, 'service', shortArn(d.svc));
    row(dl, 'task definition', d.td);
    row(dl, 'outcome', d.o === 'rolled back' ? `rolled back to ${d.to}` : d.o);
    row(dl, 'rollback of', d.of);
    row(dl, 'start', iso(d.s));
    row(dl, 'end', d.e === null ? undefined : iso(d.e));
    row(dl, 'duration', d.e === null ? undefined : fmtMs(d.e - d.s));
    row(dl, 'reason', d.r);
    row(dl, 'changes', d.ch.map(([n, t]) => `${n} ${iso(t).slice(11)}`).join(' → '));
  }
  function instTip(i) {
    const inst = D.inst[i];
    tip.replaceChildren();
    add(tip, 'div', inst.arn, 'arn');
    const dl = add(tip, 'dl');
    row(dl, 'EC2 instance', inst.ec2);
    const spans = (list) =>
      list.map(([s, a, b]) => `${S[s]} ${iso(a).slice(11)}${b === null ? '' : ` – ${iso(b).slice(11)}`}`).join('; ');
    row(dl, 'status', spans(inst.sp));
    row(
      dl,
      'agent disconnected',
      inst.dc.map(([a, b]) => `${iso(a).slice(11)} – ${b === null ? 'end' : iso(b).slice(11)}`).join('; '),
    );
    row(dl, 'health', spans(inst.h));
  }
  let pinned = false;
  let focused = null;
  const itemOf = (target) => (target?.closest ? target.closest('.t, .dep, .inst') : null);
  function showTip(item, at) {
    const i = Number(item.getAttribute('data-i'));
    if (item.classList.contains('t')) taskTip(i);
    else if (item.classList.contains('dep')) depTip(i);
    else instTip(i);
    tip.hidden = false;
    const r = at || item.getBoundingClientRect();
    const tw = tip.offsetWidth;
    const th = tip.offsetHeight;
    let x = at ? at.left + 14 : Math.max(r.left, wrap.getBoundingClientRect().left + GUTTER);
    let yy = at ? at.top + 14 : r.bottom + 6;
    if (x + tw > innerWidth - 8) x = Math.max(8, innerWidth - tw - 8);
    if (yy + th > innerHeight - 8) yy = Math.max(8, (at ? at.top : r.top) - th - 8);
    tip.style.left = `${x}px`;
    tip.style.top = `${yy}px`;
  }
  function hideTip() {
    tip.hidden = true;
    pinned = false;
    tip.classList.remove('pinned');
  }
  function placeRing(item) {
    const ring = document.getElementById('ring');
    const i = Number(item.getAttribute('data-i'));
    let a;
    let b;
    let yy;
    let h;
    if (item.classList.contains('t')) {
      const t = tasks[i];
      a = xOf(startOf(t));
      b = xOf(taskEnd(t));
      yy = taskY(t) - 1;
      h = BAR + 2;
    } else if (item.classList.contains('inst')) {
      a = xOf(0);
      b = xOf(SPAN);
      yy = instY[i] - 1;
      h = ILANE - 2;
    } else {
      ring.setAttribute('hidden', '');
      return;
    }
    a = Math.max(a, -2);
    b = Math.min(Math.max(b, a + 3), plotW + 2);
    ring.setAttribute('x', a - 1);
    ring.setAttribute('width', Math.max(b - a + 2, 4));
    ring.setAttribute('y', yy);
    ring.setAttribute('height', h);
    ring.removeAttribute('hidden');
  }
  function reveal(i) {
    const t = tasks[i];
    const a = startOf(t);
    const b = taskEnd(t);
    if (b < v0 || a > v1) {
      const span = v1 - v0;
      setView(a - span / 4, a + (3 * span) / 4);
    }
  }
  let current = tasks.length > 0 ? 0 : -1;
  function focusTask(i) {
    if (i < 0 || i >= tasks.length) return;
    const bars = document.getElementById('task-bars').children;
    if (current >= 0 && bars[current]) bars[current].setAttribute('tabindex', '-1');
    current = i;
    const el = bars[i];
    el.setAttribute('tabindex', '0');
    reveal(i);
    el.focus();
  }
  function nearestIn(li, off) {
    const list = lanes[li].tasks;
    let best = list[0];
    for (const i of list) if (Math.abs(startOf(tasks[i]) - off) < Math.abs(startOf(tasks[best]) - off)) best = i;
    return best;
  }

  // ---- Events ----
  svg.addEventListener('focusin', (e) => {
    const item = itemOf(e.target);
    if (!item) return;
    focused = item;
    if (item.classList.contains('t')) {
      const i = Number(item.getAttribute('data-i'));
      const t = tasks[i];
      item.setAttribute(
        'aria-label',
        `task ${t[F.id]}, ${D.groups[t[F.group]][0]}, ${str(t[F.taskDefinition])}, ${S[t[F.states][t[F.states].length - 2]] || ''}`,
      );
    }
    placeRing(item);
    if (!pinned) showTip(item);
  });
  svg.addEventListener('focusout', () => {
    focused = null;
    document.getElementById('ring').setAttribute('hidden', '');
    if (!pinned) tip.hidden = true;
  });
  svg.addEventListener('mousemove', (e) => {
    if (pinned || drag) return;
    const item = itemOf(e.target);
    if (item) showTip(item, { left: e.clientX, top: e.clientY });
    else tip.hidden = true;
  });
  svg.addEventListener('mouseleave', () => {
    if (!pinned) tip.hidden = true;
  });
  svg.addEventListener('keydown', (e) => {
    const item = itemOf(e.target);
    const isTask = item?.classList.contains('t');
    const i = isTask ? Number(item.getAttribute('data-i')) : current;
    const mid = isTask ? startOf(tasks[i]) : (v0 + v1) / 2;
    let handled = true;
    if (e.key === 'ArrowRight' && i >= 0) {
      const l = lanes[laneOf[i]].tasks;
      focusTask(l[Math.min(posOf[i] + 1, l.length - 1)]);
    } else if (e.key === 'ArrowLeft' && i >= 0) {
      const l = lanes[laneOf[i]].tasks;
      focusTask(l[Math.max(posOf[i] - 1, 0)]);
    } else if (e.key === 'ArrowDown' && i >= 0) {
      focusTask(nearestIn(Math.min(laneOf[i] + 1, lanes.length - 1), startOf(tasks[i])));
    } else if (e.key === 'ArrowUp' && i >= 0) {
      focusTask(nearestIn(Math.max(laneOf[i] - 1, 0), startOf(tasks[i])));
    } else if (e.key === 'Home' && i >= 0) focusTask(lanes[laneOf[i]].tasks[0]);
    else if (e.key === 'End' && i >= 0) focusTask(lanes[laneOf[i]].tasks.at(-1));
    else if (e.key === '+' || e.key === '=') zoomAt(0.5, mid);
    else if (e.key === '-' || e.key === '_') zoomAt(2, mid);
    else if (e.key === '0') setView(0, SPAN);
    else if ((e.key === 'Enter' || e.key === ' ') && item) {
      pinned = !pinned;
      tip.classList.toggle('pinned', pinned);
      if (pinned) showTip(item);
    } else if (e.key === 'Escape') {
      hideTip();
      clearFilter();
    } else handled = false;
    if (handled) e.preventDefault();
  });
  wrap.addEventListener(
    'wheel',
    (e) => {
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        zoomAt(Math.exp(e.deltaY * 0.002), offAtClientX(e.clientX));
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        panBy(e.deltaX || e.deltaY);
      }
    },
    { passive: false },
  );
  let drag = null;
  svg.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || e.clientX - svg.getBoundingClientRect().left < GUTTER) return;
    drag = { x: e.clientX, moved: false, v0, v1 };
  });
  addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    if (!drag.moved && Math.abs(dx) < 4) return;
    if (!drag.moved) {
      drag.moved = true;
      svg.classList.add('panning');
      tip.hidden = true;
    }
    const d = (dx / plotW) * (drag.v1 - drag.v0);
    setView(drag.v0 - d, drag.v1 - d);
  });
  addEventListener('pointerup', (e) => {
    if (!drag) return;
    const moved = drag.moved;
    drag = null;
    svg.classList.remove('panning');
    if (moved) return;
    const item = itemOf(e.target);
    if (!item) {
      hideTip();
      return;
    }
    if (item.classList.contains('t')) focusTask(Number(item.getAttribute('data-i')));
    else item.focus();
    pinned = true;
    tip.classList.add('pinned');
    showTip(item, { left: e.clientX, top: e.clientY });
  });
  for (const b of document.querySelectorAll('[data-zoom]')) {
    b.addEventListener('click', () => {
      const z = b.getAttribute('data-zoom');
      if (z === 'in') zoomAt(0.5, (v0 + v1) / 2);
      else if (z === 'out') zoomAt(2, (v0 + v1) / 2);
      else setView(0, SPAN);
    });
  }
  let filter = -1;
  function clearFilter() {
    if (filter < 0) return;
    const bars = document.getElementById('task-bars').children;
    for (const i of D.stops[filter]) bars[i].classList.remove('hl');
    for (const r of document.querySelectorAll('tr.hl')) r.classList.remove('hl');
    svg.classList.remove('filtering');
    filter = -1;
  }
  for (const a of document.querySelectorAll('a.show-stop')) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const g = Number(a.getAttribute('data-stop-group'));
      const again = g === filter;
      clearFilter();
      if (again) return;
      filter = g;
      const bars = document.getElementById('task-bars').children;
      for (const i of D.stops[g]) bars[i].classList.add('hl');
      a.closest('tr').classList.add('hl');
      svg.classList.add('filtering');
      wrap.scrollIntoView({ block: 'start' });
      if (D.stops[g].length > 0) focusTask(D.stops[g][0]);
    });
  }
  addEventListener('resize', resize);

  try {
    buildStatic();
    resize();
    root.setAttribute('data-tasks', String(tasks.length));
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        performance.mark('data-ready');
        root.setAttribute('data-ready', '');
      }),
    );
  } catch (err) {
    root.setAttribute('data-error', String(err));
    throw err;
  }
})();
