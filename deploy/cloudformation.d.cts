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
}
export type RawSettings = Partial<Record<Exclude<keyof DeploySettings, 'tableNames' | 'alarmActions'>, unknown>> & {
  stateTableSuffix?: unknown;
  iteratorAgeAlarmSeconds?: unknown;
  alarmTopicArn?: unknown;
};
export declare const TABLE_LOGICAL_IDS: Record<TableKind, string>;
export declare function tableNames(stage: string, stateTableSuffix?: string): Record<TableKind, string>;
export declare function deploySettings(raw: RawSettings): DeploySettings;
export declare function tableResources(settings: DeploySettings): Record<string, Record<string, unknown>>;
