// Types of domain/apiCalls/actions.cjs; test/apiCalls.domain.test.ts checks that they agree.
export type CallTarget = 'task' | 'service' | 'container-instance' | 'cluster';
export declare const CALL_ACTIONS: {
  readonly RunTask: 'task';
  readonly StartTask: 'task';
  readonly StopTask: 'task';
  readonly ExecuteCommand: 'task';
  readonly CreateService: 'service';
  readonly UpdateService: 'service';
  readonly DeleteService: 'service';
  readonly CreateTaskSet: 'service';
  readonly UpdateTaskSet: 'service';
  readonly DeleteTaskSet: 'service';
  readonly UpdateServicePrimaryTaskSet: 'service';
  readonly UpdateContainerInstancesState: 'container-instance';
  readonly DeregisterContainerInstance: 'container-instance';
  readonly PutClusterCapacityProviders: 'cluster';
  readonly UpdateCluster: 'cluster';
  readonly DeleteCluster: 'cluster';
};
export declare const ECS_EVENT_SOURCE: 'ecs.amazonaws.com';
export declare const CALL_DETAIL_TYPE: 'AWS API Call via CloudTrail';
export declare const SELF_AUDITED_SOURCES: Readonly<Record<string, string>>;
