// Types of deploy/names.cjs.
import type { TableKind } from '../infra/tables.cjs';

export type FunctionName = 'ingest' | 'projector' | 'reconciler';
export declare const DEFAULT_SERVICE: string;
export declare const DEFAULT_STAGE: string;
export declare const FUNCTIONS: readonly FunctionName[];
export type SelfAuditedService = 'dynamodb' | 'lambda' | 'events' | 'sqs' | 'cloudwatch' | 'iam' | 'sns' | 'kms' | 's3';
export declare const SELF_AUDITED_SERVICES: readonly SelfAuditedService[];

export interface NamesInput {
  service?: string;
  stage: string;
  stateTableSuffix?: string;
  /** Deployed with organizationId or memberAccountIds: the ingest rule is on the central bus. */
  centralBus?: boolean;
}
export interface DeployNames {
  service: string;
  stage: string;
  /** `<service>-<stage>`: POWERTOOLS_SERVICE_NAME, the central bus, the start of every other name. */
  prefix: string;
  metricsNamespace: string;
  tables: Record<TableKind, string>;
  roles: Record<FunctionName, string>;
  functions: Record<FunctionName, string>;
  ingestRule: string;
  reconcileRule: string;
  /** The self-audit rules on the default bus (StoreChanged), one a service. */
  selfAuditRules: Record<SelfAuditedService, string>;
  /** The bootstrap stack's us-east-1 rule forwarding IAM calls on the store's roles. */
  iamForwardRule: string;
  alarmTopic: string;
  alarmTopicKeyAlias: string;
  /** The CloudFormation execution role the bootstrap stack creates. */
  deploymentRole: string;
  bootstrapStack: string;
  centralEventBus: string;
  /** The bus the ingest rule listens to: "default" or centralEventBus. */
  eventBus: string;
  /** The ingest rule, as `rule/<name>` on the default bus or `rule/<bus>/<name>`. */
  ingestRuleArnPath: string;
  eventArchive: string;
  queues: { ingestFailures: string; ingestRuleDeadLetters: string; projectorFailures: string; logTampered: string };
}
/** Throws (a one-line Error naming the rule) for a bad stage, suffix, or a role name over IAM's limit. */
export declare function deployNames(input: NamesInput): DeployNames;
export declare function tableNames(stage: string, stateTableSuffix?: string): Record<TableKind, string>;
