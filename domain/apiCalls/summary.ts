import { isObject, nonEmptyString as text } from '../canonical.js';
import { principalOf } from './principal.js';

/**
 * The one line `history` shows for a call: the action, who made it (and through which service), the
 * reason a StopTask or UpdateContainerInstancesState gave, and the error of a call that failed.
 * `StopTask by Admin/alice: "Scaling down" — denied AccessDenied`.
 */
export function callSummary(detail: Record<string, unknown>): string {
  const who = principalOf(detail.userIdentity);
  const request = isObject(detail.requestParameters) ? detail.requestParameters : {};
  const parts = [`${text(detail.eventName) ?? 'call'} by ${who.name}`];
  if (who.invokedBy !== undefined && who.invokedBy !== who.name) parts[0] += ` via ${who.invokedBy}`;
  const reason = text(request.reason) ?? text(request.status);
  if (reason !== undefined) parts.push(JSON.stringify(reason));
  const error = text(detail.errorCode);
  if (error !== undefined) parts.push(`failed ${error}`);
  return parts.join(' — ');
}
