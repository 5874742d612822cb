import { CALLS_INDEX } from '../infra/callQueries.js';
import { TIMELINE_INDEX } from '../infra/logTable.js';
import type { TableKind } from '../infra/tables.cjs';
import model from '../infra/tables.cjs';

// The words a command's IAM uses are written in (cli/command.ts `uses`): roles, what a use touches,
// the grants. Here, apart from cli/iamPolicy.ts, so that a command file can name them without
// importing the registry that imports it.

/**
 * `reader`: never writes. `operator`: the reader's uses and those that write through the deployment's
 * own paths. `repair`: the break-glass role of `logRepairPrincipalArn` (docs/operations.md), alone.
 */
export type PolicyRole = 'reader' | 'operator' | 'repair';
export const POLICY_ROLES: readonly PolicyRole[] = ['reader', 'operator', 'repair'];

/** What a use touches. */
export type Target =
  | { readonly table: TableKind; readonly index?: string }
  | { readonly ingestFunction: true }
  | { readonly archive: true }
  | { readonly ingestRule: true }
  | { readonly replays: true }
  /** ECS List and Describe: no resource-level scoping that fits every cluster of the account (cli/iamPolicy.ts). */
  | { readonly ecs: true };

export interface Grant {
  readonly actions: readonly string[];
  readonly on: readonly Target[];
}

/**
 * What test/iamPolicy.test.ts hands a use's `argv`: resources of the estate it loads into DynamoDB
 * Local and moto_server, so that each use runs on real data.
 */
export interface UseFixture {
  /** A task of the estate (with its versions in the log and a row). */
  readonly taskArn: string;
  /** Its cluster. */
  readonly clusterArn: string;
  /** A service of the estate, with deployments and service actions. */
  readonly serviceArn: string;
  /** A cluster that ECS (moto_server) knows and the store does not. */
  readonly ecsClusterArn: string;
  /** A log key tampered with before the use runs. */
  readonly tampered: { readonly arn: string; readonly version: number };
  /** The deployed stage: its tables, ingest function, archive and rule. */
  readonly stage: string;
  readonly ingestFunction: string;
  /** A path in the test's scratch directory (`one.ndjson` holds one event of the estate). */
  file(name: string): string;
}

/** One use of the CLI that calls AWS: a command line, its role, and exactly what it calls. */
export interface Use {
  /** The command line, as an operator types it; its first word is the command's name. */
  readonly use: string;
  /** `reader` uses never write; the operator policy holds both; `repair` uses only the repair policy. */
  readonly role: PolicyRole;
  readonly grants: readonly Grant[];
  /** The argv that runs this use in test/iamPolicy.test.ts, which records every call it makes. */
  readonly argv: (f: UseFixture) => string[];
}

export const LOG: Target = { table: 'eventLog' };
export const LOG_TIMELINE: Target = { table: 'eventLog', index: TIMELINE_INDEX };
export const LOG_CALLS: Target = { table: 'eventLog', index: CALLS_INDEX };
export const TASKS: Target = { table: 'taskState' };
export const INSTANCES: Target = { table: 'instanceState' };
/** The byClusterPhase index of a latest-state table. */
export const BY_CLUSTER = (kind: 'taskState' | 'instanceState'): Target => ({
  table: kind,
  index: model.tables[kind].indexes[0]?.name as string,
});
export const STATE: Target[] = [TASKS, INSTANCES];
export const STATE_BY_CLUSTER: Target[] = [BY_CLUSTER('taskState'), BY_CLUSTER('instanceState')];
