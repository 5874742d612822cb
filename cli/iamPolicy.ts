import { TIMELINE_INDEX } from '../infra/logTable.js';
// `ecs-events iam-policy`: the IAM policy the CLI needs, from one source. Each use of the CLI (a command,
// or a command with an option that writes) says here which actions it calls on which resource; the
// resources are rendered from the table model (infra/tables.cjs: tables and their indexes) and the
// deploy's naming (deploy/cloudformation.cjs). test/iamPolicy.test.ts runs every use against DynamoDB
// Local and moto_server, records every call through SDK middleware, and fails when a use calls what its
// entry lacks or its entry grants what it never calls: change a command, and the test says what to change here.
import type { TableKind } from '../infra/tables.cjs';
import model from '../infra/tables.cjs';

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
  /** ECS List and Describe: no resource-level scoping that fits every cluster of the account (see below). */
  | { readonly ecs: true };

export interface Grant {
  readonly actions: readonly string[];
  readonly on: readonly Target[];
}

export interface Use {
  /** The command line, as an operator types it (the test runs exactly these). */
  readonly use: string;
  /** `reader` uses never write; the operator policy holds both; `repair` uses only the repair policy. */
  readonly role: PolicyRole;
  readonly grants: readonly Grant[];
}

const LOG: Target = { table: 'eventLog' };
const LOG_TIMELINE: Target = { table: 'eventLog', index: TIMELINE_INDEX };
const TASKS: Target = { table: 'taskState' };
const INSTANCES: Target = { table: 'instanceState' };
const BY_CLUSTER = (kind: 'taskState' | 'instanceState'): Target => ({
  table: kind,
  index: model.tables[kind].indexes[0]?.name as string,
});
const STATE: Target[] = [TASKS, INSTANCES];
const STATE_BY_CLUSTER: Target[] = [BY_CLUSTER('taskState'), BY_CLUSTER('instanceState')];

/**
 * Every use of the CLI that calls AWS, and what it calls. `local` (DynamoDB Local), `stackset` and
 * `iam-policy` (they print) call nothing; `load` without `--function` appends with the caller's own
 * credentials, which only the local stack allows (the deployed log takes PutItem from its append roles).
 */
export const USES: readonly Use[] = [
  { use: 'history <arn>', role: 'reader', grants: [{ actions: ['Query'], on: [LOG] }] },
  { use: 'changes <arn>', role: 'reader', grants: [{ actions: ['Query'], on: [LOG] }] },
  { use: 'state <arn> --at T', role: 'reader', grants: [{ actions: ['Query'], on: [LOG] }] },
  {
    // A cluster name (not an ARN) is looked up in the latest-state tables: a Scan.
    use: 'timeline --cluster <name> --since T',
    role: 'reader',
    grants: [
      { actions: ['Query'], on: [LOG_TIMELINE] },
      { actions: ['Scan'], on: STATE },
    ],
  },
  {
    use: 'tasks --cluster <arn>',
    role: 'reader',
    grants: [
      { actions: ['Query'], on: [BY_CLUSTER('taskState')] },
      { actions: ['BatchGetItem'], on: [TASKS] },
    ],
  },
  {
    use: 'instances --cluster <arn>',
    role: 'reader',
    grants: [
      { actions: ['Query'], on: [BY_CLUSTER('instanceState'), LOG] },
      { actions: ['BatchGetItem'], on: [INSTANCES] },
    ],
  },
  {
    use: 'stopped --cluster <arn> --since T',
    role: 'reader',
    grants: [
      { actions: ['Query'], on: [LOG_TIMELINE] },
      { actions: ['BatchGetItem'], on: [LOG] },
    ],
  },
  {
    use: 'stats --cluster <arn> --since T',
    role: 'reader',
    grants: [
      { actions: ['Query'], on: [LOG_TIMELINE, BY_CLUSTER('taskState')] },
      { actions: ['BatchGetItem'], on: [LOG, TASKS] },
    ],
  },
  { use: 'deployments --service <arn>', role: 'reader', grants: [{ actions: ['Query'], on: [LOG] }] },
  { use: 'service-events --service <arn>', role: 'reader', grants: [{ actions: ['Query'], on: [LOG] }] },
  {
    use: 'report --cluster <arn> --since T',
    role: 'reader',
    grants: [
      { actions: ['Query'], on: [LOG, LOG_TIMELINE, ...STATE_BY_CLUSTER] },
      { actions: ['BatchGetItem'], on: [LOG, ...STATE] },
    ],
  },
  {
    use: 'verify',
    role: 'reader',
    grants: [
      { actions: ['DescribeTable', 'Scan', 'BatchGetItem', 'GetItem'], on: [LOG, ...STATE] },
      { actions: ['Query'], on: [LOG, LOG_TIMELINE] },
    ],
  },
  {
    use: 'verify --since T',
    role: 'reader',
    grants: [
      { actions: ['DescribeTable'], on: STATE },
      { actions: ['GetItem'], on: [LOG, ...STATE] },
      { actions: ['Query'], on: [LOG, LOG_TIMELINE] },
      { actions: ['Scan'], on: [LOG_TIMELINE] },
    ],
  },
  {
    use: 'verify --log',
    role: 'reader',
    grants: [
      { actions: ['DescribeTable', 'Scan'], on: [LOG] },
      { actions: ['Query'], on: [LOG_TIMELINE] },
    ],
  },
  {
    use: 'rebuild --dry-run',
    role: 'reader',
    grants: [
      { actions: ['DescribeTable', 'Scan'], on: [LOG] },
      { actions: ['Query'], on: [LOG_TIMELINE] },
    ],
  },
  {
    use: 'reconcile --dry-run --cluster <arn>',
    role: 'reader',
    grants: [
      {
        actions: ['ListTasks', 'ListContainerInstances', 'DescribeTasks', 'DescribeContainerInstances'],
        on: [{ ecs: true }],
      },
      { actions: ['Query'], on: STATE_BY_CLUSTER },
      { actions: ['BatchGetItem'], on: STATE },
    ],
  },
  {
    // Re-projects the drifted keys with conditional puts, deletes orphans. (A missing table would be
    // created first: not granted, the deployed tables belong to CloudFormation.)
    use: 'verify --repair --delete-orphans',
    role: 'operator',
    grants: [
      { actions: ['DescribeTable', 'Scan', 'BatchGetItem', 'GetItem'], on: [LOG, ...STATE] },
      { actions: ['Query'], on: [LOG, LOG_TIMELINE] },
      { actions: ['PutItem', 'DeleteItem'], on: STATE },
    ],
  },
  {
    // "Only if newer" puts, and a conditional delete of an older row whose latest state has expired.
    use: 'rebuild',
    role: 'operator',
    grants: [
      { actions: ['DescribeTable', 'Scan'], on: [LOG] },
      { actions: ['Query'], on: [LOG_TIMELINE] },
      { actions: ['DescribeTable', 'PutItem', 'DeleteItem'], on: STATE },
    ],
  },
  {
    // The log takes PutItem from its append roles only: the operator invokes the ingest function.
    use: 'load --function <ingest function> <file>',
    role: 'operator',
    grants: [{ actions: ['InvokeFunction'], on: [{ ingestFunction: true }] }],
  },
  {
    use: 'replay --since T --wait',
    role: 'operator',
    grants: [
      { actions: ['DescribeArchive'], on: [{ archive: true }] },
      { actions: ['DescribeRule'], on: [{ ingestRule: true }] },
      { actions: ['StartReplay', 'DescribeReplay'], on: [{ replays: true }] },
    ],
  },
  {
    // Writes a trust marker into the log: only the break-glass role gets through the log's PutItem lock.
    use: 'trust-tampered <arn> <version>',
    role: 'repair',
    grants: [
      { actions: ['Query'], on: [LOG_TIMELINE] },
      { actions: ['BatchGetItem', 'PutItem'], on: [LOG] },
    ],
  },
];

/** Where the policy points: one deployment's names. Region and account may be "*". */
export interface PolicyNames {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly tables: Record<TableKind, string>;
  readonly ingestFunction: string;
  readonly archive: string;
  /** The ingest rule, as `rule/<name>` on the default bus or `rule/<bus>/<name>`. */
  readonly ingestRulePath: string;
}

const SERVICE_OF = (t: Target): string =>
  'table' in t ? 'dynamodb' : 'ingestFunction' in t ? 'lambda' : 'ecs' in t ? 'ecs' : 'events';

/** The resource a target names, as IAM writes it after `arn:<partition>:<service>:<region>:<account>:`. */
export function resourcePath(t: Target, n: PolicyNames): string {
  if ('table' in t) return `table/${n.tables[t.table]}${t.index ? `/index/${t.index}` : ''}`;
  if ('ingestFunction' in t) return `function:${n.ingestFunction}`;
  if ('archive' in t) return `archive/${n.archive}`;
  if ('ingestRule' in t) return n.ingestRulePath;
  if ('replays' in t) return 'replay/*';
  return '*';
}

const arnOf = (t: Target, n: PolicyNames): string => {
  const path = resourcePath(t, n);
  // ECS List/Describe: granted on "*". DescribeTasks and DescribeContainerInstances take task and
  // container-instance ARNs, ListTasks a container instance, ListClusters none; reconcile reads every
  // cluster the store knows, so a narrower grant would be a per-cluster list to keep up to date. Read-only.
  return path === '*' ? '*' : `arn:${n.partition}:${SERVICE_OF(t)}:${n.region}:${n.account}:${path}`;
};

/** Stable Sids: the resource in words. */
const sidOf = (t: Target): string => {
  const word = (s: string) =>
    s.replace(/(^|[^A-Za-z0-9])([a-z])/g, (_m, _p, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');
  if ('table' in t) return `${word(t.table)}${t.index ? `Index${word(t.index)}` : 'Table'}`;
  if ('ingestFunction' in t) return 'IngestFunction';
  if ('archive' in t) return 'EventArchive';
  if ('ingestRule' in t) return 'IngestRule';
  if ('replays' in t) return 'Replays';
  return 'EcsReadOnly';
};

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string[];
  readonly Resource: string;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

/** The uses a role may run: a reader's, and for an operator the reader's too. */
export const usesOf = (role: PolicyRole): Use[] =>
  USES.filter((u) =>
    role === 'repair' ? u.role === 'repair' : u.role === 'reader' || (role === 'operator' && u.role === 'operator'),
  );

/** The (action, resource path) pairs a set of uses needs, each once. */
export function needs(uses: readonly Use[]): Map<string, Set<string>> {
  const byResource = new Map<string, Set<string>>();
  for (const u of uses) {
    for (const g of u.grants) {
      for (const t of g.on) {
        const key = JSON.stringify(t);
        const actions = byResource.get(key) ?? new Set<string>();
        for (const a of g.actions) actions.add(`${SERVICE_OF(t)}:${a}`);
        byResource.set(key, actions);
      }
    }
  }
  return byResource;
}

/** The IAM policy document of a role: one statement per resource, its actions sorted. */
export function iamPolicy(role: PolicyRole, names: PolicyNames): PolicyDocument {
  const statements: PolicyStatement[] = [];
  for (const [key, actions] of needs(usesOf(role))) {
    const target = JSON.parse(key) as Target;
    statements.push({
      Sid: sidOf(target),
      Effect: 'Allow',
      Action: [...actions].sort(),
      Resource: arnOf(target, names),
    });
  }
  statements.sort((a, b) => a.Sid.localeCompare(b.Sid));
  return { Version: '2012-10-17', Statement: statements };
}
