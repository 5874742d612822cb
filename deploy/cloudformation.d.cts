// Types of the deploy model's entry point (cloudformation.cjs) and of the settings it renders from.
import type { TableKind } from '../infra/tables.cjs';
import type { DeployNames, FunctionName, NamesInput } from './names.cjs';

export type { DeployNames, FunctionName, NamesInput };

export interface DeploySettings {
  stage: string;
  /** Every name of the deployment (deploy/names.cjs). */
  names: DeployNames;
  /** names.tables. */
  tableNames: Record<TableKind, string>;
  stateTtlDays: string;
  eventLogRetentionDays: string;
  redactOverrideEnvironment: string;
  logLevel: string;
  lambdaLogRetentionDays: number;
  iteratorAgeAlarmMs: number;
  /** The topic given by alarmTopicArn, or "" (the stack creates its own: createAlarmTopic). */
  alarmTopicArn: string;
  createAlarmTopic: boolean;
  /** What every alarm notifies: [alarmTopicArn] or [{ Ref: AlarmTopic }]. */
  alarmActions: (string | Record<string, unknown>)[];
  /** A role let through the log's PutItem lock on purpose (copy-back after a restore), or "". */
  logRepairPrincipalArn: string;
  /** When that role's PutItem ends (aws:CurrentTime), a UTC time; "" without a repair principal. */
  logRepairExpiresAt: string;
  /** The stack's CloudFormation execution role, or "" (the control plane is then not denied: a tripwire). */
  deploymentRoleArn: string;
  /** provider.iam of serverless.yml: { deploymentRole } when deploymentRoleArn is set, else {}. */
  providerIam: { deploymentRole?: string };
  /** Every ECS event: the ingest rule's, the archive's and the member forwarders' pattern. */
  ecsEventPattern: EcsEventPattern;
  /** True with organizationId and/or memberAccountIds: the ingest rule listens on the central bus. */
  centralEventBus: boolean;
  organizationId: string;
  memberAccountIds: string[];
  /** The bus the ingest rule listens to: "default" or centralEventBusName. */
  eventBusName: string;
  centralEventBusName: string;
  ingestEventBus: string | Record<string, unknown>;
  ingestRuleArnPath: string;
  /** The ingest rule's ARN, an Fn::Join (the dead-letter queue's policy condition). */
  ingestRuleArn: Record<string, unknown>;
  ingestRuleMetricDimensions: { Name: string; Value: string }[];
  eventArchive: { enabled: false } | { enabled: true; retentionDays: number };
  eventArchiveName: string;
  /** Comma-separated account ids counted under their own id in the ingest metrics. */
  metricAccountIds: string;
  /** The reconciler's schedule expression (a valid one also when `off`: the rule is then disabled). */
  reconcileScheduleExpression: string;
  reconcileScheduleEnabled: boolean;
  /** Clusters the reconciler is limited to, by name ([] = every cluster of the account and Region). */
  reconcileClusterNames: string[];
  /** RECONCILE_RATE: ECS requests a second at most. */
  reconcileRate: string;
  /** RECONCILE_CLUSTERS: "" or an Fn::Join of the cluster ARNs. */
  reconcileClustersEnv: string | Record<string, unknown>;
}
export interface EcsEventPattern {
  readonly source: readonly string[];
  readonly 'detail-type': readonly { readonly prefix: string }[];
}
/** The raw values: `stage`, `service`, and the parameters of serverless.yml by name. */
export type RawSettings = Partial<
  Record<
    | 'stage'
    | 'service'
    | 'stateTableSuffix'
    | 'stateTtlDays'
    | 'eventLogRetentionDays'
    | 'redactOverrideEnvironment'
    | 'logLevel'
    | 'lambdaLogRetentionDays'
    | 'iteratorAgeAlarmSeconds'
    | 'alarmTopicArn'
    | 'logRepairPrincipalArn'
    | 'logRepairExpiresAt'
    | 'deploymentRoleArn'
    | 'organizationId'
    | 'memberAccountIds'
    | 'metricAccountIds'
    | 'eventArchiveRetentionDays'
    | 'reconcileSchedule'
    | 'reconcileClusters'
    | 'reconcileRate',
    unknown
  >
>;
type Resources = Record<string, Record<string, unknown>>;
export declare const LOGICAL_IDS: {
  tables: Record<TableKind, string>;
  routing: { centralEventBus: string; eventArchive: string };
  queues: { ingestFailures: string; ingestRuleDeadLetters: string; projectorFailures: string; logTampered: string };
  roles: Record<FunctionName, string>;
  rolePolicies: Record<FunctionName, string>;
  projectorStreamPolicy: string;
  projectorStreamMapping: string;
  tamperQueuePolicy: string;
  alarmTopic: { topic: string; key: string; keyAlias: string; policy: string };
  selfAudit: { rules: Record<import('./names.cjs').SelfAuditedService, string>; alarm: string };
  functions: Record<FunctionName, string>;
  logGroups: Record<FunctionName, string>;
};
export declare const TABLE_LOGICAL_IDS: Record<TableKind, string>;
export declare const ROUTING_LOGICAL_IDS: { centralEventBus: string; eventArchive: string };
export declare const ROUTING_CONDITIONS: { centralEventBus: string; eventArchive: string };
export declare const ECS_EVENT_PATTERN: EcsEventPattern;
/** The roles allowed to PutItem on the log, by function. */
export declare const APPEND_ROLES: readonly FunctionName[];
export declare function deployNames(input: NamesInput): DeployNames;
export declare function tableNames(stage: string, stateTableSuffix?: string): Record<TableKind, string>;
export declare function deploySettings(raw: RawSettings): DeploySettings;
/** Every resource deploy/ renders, and the routing conditions: what serverless.yml merges into its `resources`. */
export declare function renderedTemplate(settings: DeploySettings): { Resources: Resources; Conditions: Resources };
export declare function tableResources(settings: DeploySettings): Resources;
export declare function routingResources(settings: DeploySettings): Resources;
/** The self-audit rules' event patterns by service (deploy/selfAudit.cjs). */
export declare function selfAuditPatterns(settings: DeploySettings): Record<string, Record<string, unknown>>;
/** The reconciler role's policy statements (least privilege, by cluster where IAM allows). */
export declare function reconcilerStatements(settings: DeploySettings): Record<string, unknown>[];
