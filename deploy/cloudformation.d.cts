// Types of the CommonJS deploy renderer (cloudformation.cjs).
import type { TableKind } from '../infra/tables.cjs';

export interface DeploySettings {
  stage: string;
  tableNames: Record<TableKind, string>;
  stateTtlDays: string;
  eventLogRetentionDays: string;
  redactOverrideEnvironment: string;
  logLevel: string;
  lambdaLogRetentionDays: number;
  iteratorAgeAlarmMs: number;
  alarmActions: string[];
  /** The fixed RoleName of each function's role (the log's resource policy names the append roles by ARN). */
  roleNames: { ingest: string; projector: string; reconciler: string };
  /** A role let through the log's PutItem lock on purpose (copy-back after a restore), or "". */
  logRepairPrincipalArn: string;
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
export type RawSettings = Partial<Record<Exclude<keyof DeploySettings, 'tableNames' | 'alarmActions'>, unknown>> & {
  stateTableSuffix?: unknown;
  iteratorAgeAlarmSeconds?: unknown;
  alarmTopicArn?: unknown;
  logRepairPrincipalArn?: unknown;
  service?: unknown;
  ingestRuleName?: unknown;
  organizationId?: unknown;
  memberAccountIds?: unknown;
  metricAccountIds?: unknown;
  eventArchiveRetentionDays?: unknown;
  reconcileSchedule?: unknown;
  reconcileClusters?: unknown;
  reconcileRate?: unknown;
};
export declare const TABLE_LOGICAL_IDS: Record<TableKind, string>;
export declare function tableNames(stage: string, stateTableSuffix?: string): Record<TableKind, string>;
export declare function deploySettings(raw: RawSettings): DeploySettings;
/** The roles allowed to PutItem on the log, by their key in DeploySettings.roleNames. */
export declare const APPEND_ROLES: readonly ('ingest' | 'reconciler' | 'projector')[];
export declare function tableResources(settings: DeploySettings): Record<string, Record<string, unknown>>;
export declare const ECS_EVENT_PATTERN: EcsEventPattern;
export declare const ROUTING_LOGICAL_IDS: { centralEventBus: string; eventArchive: string };
export declare const ROUTING_CONDITIONS: { centralEventBus: string; eventArchive: string };
/** The reconciler role's policy statements (least privilege, by cluster where IAM allows). */
export declare function reconcilerStatements(settings: DeploySettings): Record<string, unknown>[];
export declare function routingResources(settings: DeploySettings): Record<string, Record<string, unknown>>;
