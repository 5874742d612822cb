import { TASK_STATUSES } from '../../domain/lifecycle/versions.js';
import {
  callClass,
  deploymentClass,
  healthClass,
  INSTANCE_STATUSES,
  instanceClass,
  stateClass,
} from './shared/classes.js';
import { type Html, html } from './shared/markup.js';

/** The chart's colours, with the classes the page script gives the bars (shared/classes.ts). */
export function legendHtml(): Html {
  const item = (cls: string, label: string) => html`<li><span class="sw ${cls}"></span>${label}</li>`;
  return html`<ul class="legend" aria-label="Legend">
${TASK_STATUSES.map((s) => item(stateClass(TASK_STATUSES, s), s))}
${item(deploymentClass('completed'), 'deployment completed')}${item(deploymentClass('in progress'), 'deployment in progress')}${item(deploymentClass('failed'), 'deployment failed / rolled back')}
${INSTANCE_STATUSES.map((s) => item(instanceClass(s), `instance ${s}`))}${item('disc', 'agent disconnected')}${item(healthClass('IMPAIRED'), 'health impaired')}
${item(callClass(false), 'API call')}${item(callClass(true), 'API call failed')}
</ul>`;
}
