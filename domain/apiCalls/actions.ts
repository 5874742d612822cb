import actions, { type CallTarget } from './actions.cjs';

/** The calls the store keeps and what each acts on: domain/apiCalls/actions.cjs, the one list. */
export const { CALL_ACTIONS, ECS_EVENT_SOURCE, CALL_DETAIL_TYPE, SELF_AUDITED_SOURCES } = actions;
export type { CallTarget };

export type CallAction = keyof typeof CALL_ACTIONS;

export const CALL_ACTION_NAMES = Object.keys(CALL_ACTIONS) as CallAction[];

export const isCallAction = (name: unknown): name is CallAction =>
  typeof name === 'string' && Object.hasOwn(CALL_ACTIONS, name);
