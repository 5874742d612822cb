// `ecs-events iam-policy`: the IAM policy the CLI needs, from one source. Each command says, in its own
// file (cli/commands/<name>.ts, `uses`), which of its uses call AWS and which actions each calls on which
// resource; the resources are rendered from the table model (infra/tables.cjs: tables and their indexes)
// and the deploy's naming (deploy/names.cjs). test/iamPolicy.test.ts runs every use against
// DynamoDB Local and moto_server, records every call through SDK middleware, and fails when a use calls
// what its entry lacks or its entry grants what it never calls: change a command, and the test says
// what to change in its `uses`. (cli/commands/iam-policy.ts loads this module when it runs: a static
// import would be a cycle through the registry.)
import type { TableKind } from '../infra/tables.cjs';
import { COMMANDS } from './commands/index.js';
import type { PolicyRole, Target, Use } from './iamTargets.js';

export { type Grant, POLICY_ROLES, type PolicyRole, type Target, type Use, type UseFixture } from './iamTargets.js';

/**
 * Every use of the CLI that calls AWS, and what it calls, command by command in the order of the
 * registry. `local` (DynamoDB Local), `stackset` and `iam-policy` (they print) call nothing; `load`
 * without `--function` appends with the caller's own credentials, which only the local stack allows
 * (the deployed log takes PutItem from its append roles).
 */
export const USES: readonly Use[] = Object.values(COMMANDS).flatMap((command) => command.uses);

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
