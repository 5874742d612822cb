import type { DeploymentOutcome } from '../../../domain/deployments.js';

/**
 * The CSS classes (page.css) of what the chart colours, for the server's legend and the page's
 * bars alike. A status outside a known list gets the `-other` class of its prefix, so a status
 * that ECS adds later is drawn, in grey, instead of not at all. Browser-safe: the page bundle imports it.
 */

/** Container-instance statuses with a colour of their own. */
export const INSTANCE_STATUSES = ['ACTIVE', 'DRAINING', 'INACTIVE'] as const;
/** `overallStatus` values of instance health with a colour of their own. */
export const HEALTH_STATUSES = ['OK', 'IMPAIRED'] as const;

const classOf = (prefix: string, known: readonly string[], status: string): string =>
  known.includes(status) ? `${prefix}-${status}` : `${prefix}-other`;

/** A task state's class; `known` is the list of task statuses (TASK_STATUSES, sent to the page in the payload). */
export const stateClass = (known: readonly string[], status: string): string => classOf('st', known, status);
export const instanceClass = (status: string): string => classOf('in', INSTANCE_STATUSES, status);
export const healthClass = (status: string): string => classOf('h', HEALTH_STATUSES, status);
export const deploymentClass = (outcome: DeploymentOutcome): string => `dep-${outcome.replace(/ /g, '-')}`;
/** An API call's mark: `call`, and `call call-err` for one that failed (an errorCode). */
export const callClass = (failed: boolean): string => (failed ? 'call call-err' : 'call');
