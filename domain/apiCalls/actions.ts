/**
 * The ECS API calls the store keeps (CloudTrail records that EventBridge delivers as `AWS API Call
 * via CloudTrail`): the write calls that change tasks, services, container instances and clusters.
 * Each names what it acts on, which decides the log partitions a call is filed under
 * (domain/apiCalls/resources.ts). The EventBridge pattern (deploy/) is derived from this list, so a call
 * added here is routed, archived and forwarded with no other change.
 */
export type CallTarget = 'task' | 'service' | 'container-instance' | 'cluster';

export const CALL_ACTIONS = {
  RunTask: 'task',
  StartTask: 'task',
  StopTask: 'task',
  ExecuteCommand: 'task',
  CreateService: 'service',
  UpdateService: 'service',
  DeleteService: 'service',
  CreateTaskSet: 'service',
  UpdateTaskSet: 'service',
  DeleteTaskSet: 'service',
  UpdateServicePrimaryTaskSet: 'service',
  UpdateContainerInstancesState: 'container-instance',
  DeregisterContainerInstance: 'container-instance',
  PutClusterCapacityProviders: 'cluster',
  UpdateCluster: 'cluster',
  DeleteCluster: 'cluster',
} as const satisfies Record<string, CallTarget>;

export type CallAction = keyof typeof CALL_ACTIONS;

export const CALL_ACTION_NAMES = Object.keys(CALL_ACTIONS) as CallAction[];

export const isCallAction = (name: unknown): name is CallAction =>
  typeof name === 'string' && Object.hasOwn(CALL_ACTIONS, name);

/** CloudTrail's `eventSource` of ECS's API. */
export const ECS_EVENT_SOURCE = 'ecs.amazonaws.com';

/** The EventBridge detail-type of a CloudTrail management event. */
export const CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
