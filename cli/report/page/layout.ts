import { shortArn } from '../shared/format.js';
import type { Report, Task } from './data.js';
import { DLANE, HEAD, ILANE, LANE } from './geometry.js';

/**
 * Where everything goes, top to bottom: the deployment lanes (one per service), the container
 * instances, then the task groups with their lanes; and the order the keyboard walks the tasks in.
 */
export interface Label {
  readonly cls: string;
  readonly text: string;
  readonly y: number;
}

export interface Layout {
  readonly labels: readonly Label[];
  /** Top of each service's deployment lane, by service ARN. */
  readonly deploymentY: ReadonlyMap<string, number>;
  /** Top of the calls lane (calls not on a task's row); undefined without one. */
  readonly callsY: number | undefined;
  /** Top of each instance's lane, by its index. */
  readonly instanceY: readonly number[];
  /** Top of the task section: deployment lines run from here down. */
  readonly tasksTop: number;
  readonly height: number;
  taskY(task: Task): number;
  /** The tasks of each lane, lanes in drawing order, each in start order. */
  readonly lanes: readonly (readonly number[])[];
  /** A task's lane (index into `lanes`) and its position in it. */
  readonly laneOf: Int32Array;
  readonly posOf: Int32Array;
  /** Start of the same service's next deployment run, per run (null for its last): room for a label. */
  readonly nextDeploymentStart: readonly (number | null)[];
}

export function layOut(report: Report): Layout {
  const { data, tasks } = report;
  const labels: Label[] = [];
  const label = (cls: string, text: string, y: number) => labels.push({ cls, text, y });
  let y = 6;
  const deploymentY = new Map<string, number>();
  const services = [...new Set(data.deps.map((d) => d.svc))].sort();
  if (services.length > 0) {
    label('section', 'Deployments', y + 13);
    y += HEAD;
    for (const s of services) {
      deploymentY.set(s, y);
      label('', s.slice(s.lastIndexOf('/') + 1), y + 13);
      y += DLANE;
    }
  }
  let callsY: number | undefined;
  if (report.laneCalls) {
    label('section', 'API calls', y + 13);
    y += HEAD;
    callsY = y;
    label('sub', 'services, instances, cluster', y + 11);
    y += ILANE;
  }
  const instanceY: number[] = [];
  if (data.inst.length > 0) {
    label('section', 'Container instances', y + 13);
    y += HEAD;
    data.inst.forEach((inst, i) => {
      instanceY[i] = y;
      label('', inst.ec2 || shortArn(inst.arn).slice(-24), y + 11);
      y += ILANE;
    });
  }
  const tasksTop = y;
  label('section', `Tasks (${tasks.length})`, y + 13);
  y += HEAD;
  const groupY: number[] = [];
  const groupCount = data.groups.map(() => 0);
  for (const t of tasks) groupCount[t.group] = (groupCount[t.group] ?? 0) + 1;
  data.groups.forEach(([name, lanes], g) => {
    label('glabel', `${name} (${groupCount[g]})`, y + 13);
    groupY[g] = y + HEAD;
    y += HEAD + lanes * LANE + 6;
  });
  if (tasks.length === 0) label('sub', 'No task in this window.', y + 13);

  const byLane = new Map<number, number[]>();
  tasks.forEach((t, i) => {
    const key = t.group * 1e6 + t.lane;
    const list = byLane.get(key);
    if (list) list.push(i);
    else byLane.set(key, [i]);
  });
  const lanes = [...byLane.entries()].sort((a, b) => a[0] - b[0]).map(([, list]) => list);
  const laneOf = new Int32Array(tasks.length);
  const posOf = new Int32Array(tasks.length);
  lanes.forEach((list, li) => {
    list.sort((a, b) => (tasks[a] as Task).start - (tasks[b] as Task).start);
    list.forEach((i, p) => {
      laneOf[i] = li;
      posOf[i] = p;
    });
  });

  const nextDeploymentStart = data.deps.map((d) => {
    const later = data.deps.filter((o) => o.svc === d.svc && o.s > d.s).map((o) => o.s);
    return later.length > 0 ? Math.min(...later) : null;
  });
  return {
    labels,
    deploymentY,
    callsY,
    instanceY,
    tasksTop,
    height: y + 16,
    taskY: (t) => (groupY[t.group] ?? 0) + t.lane * LANE,
    lanes,
    laneOf,
    posOf,
    nextDeploymentStart,
  };
}
