// The names one deployment gives what it creates, from its service, stage, stateTableSuffix and
// whether it has a central bus: the one naming function of the renderer (deploy/settings.cjs) and of
// the CLI (cli/stageNames.ts: iam-policy, replay). The tests check every name against the template.
'use strict';

const model = require('../infra/tables.cjs');
const { SELF_AUDITED_SOURCES } = require('../domain/apiCalls/actions.cjs');
const { settingError } = require('./parameters.cjs');

/** serverless.yml's `service:` (the tests check that they agree) and provider.stage's default. */
const DEFAULT_SERVICE = 'ecs-event-store';
const DEFAULT_STAGE = 'dev';
/** POWERTOOLS_METRICS_NAMESPACE of the functions, where their own metrics (Rejected, LogTampered) are. */
const METRICS_NAMESPACE = 'ECSEventStore';

/** A stage name: short, because it is in every role name (IAM's limit is 64 characters). */
const STAGE_PATTERN = /^[A-Za-z0-9-]{1,16}$/;
const MAX_ROLE_NAME = 64;
/** EventBridge's longest archive name. */
const MAX_ARCHIVE_NAME = 48;

/** The services whose CloudTrail calls on the store's resources the self-audit rules match, one rule each. */
const SELF_AUDITED_SERVICES = Object.freeze(
  Object.keys(SELF_AUDITED_SOURCES).map((source) => source.replace(/^aws\./, '')),
);

/** The functions of serverless.yml, by their key there: each has a function, a role and a log group. */
const FUNCTIONS = Object.freeze(['ingest', 'projector', 'reconciler']);

const byFunction = (name) => Object.fromEntries(FUNCTIONS.map((fn) => [fn, name(fn)]));

/**
 * Table names: the model's default name, `-<stage>`, and for the two latest-state tables the
 * blue/green suffix (so a rebuild into fresh tables is switched to by a redeploy).
 */
function tableNames(stage, stateTableSuffix = '') {
  if (!/^[A-Za-z0-9_.-]*$/.test(stateTableSuffix) || stateTableSuffix.length > 32) {
    throw settingError(
      `parameter stateTableSuffix may hold only letters, digits, "_", "-" and "." (at most 32), got "${stateTableSuffix}"`,
    );
  }
  const base = (kind) => `${model.tables[kind].defaultName}-${stage}`;
  return {
    eventLog: base('eventLog'),
    taskState: `${base('taskState')}${stateTableSuffix}`,
    instanceState: `${base('instanceState')}${stateTableSuffix}`,
  };
}

/**
 * Every name of one deployment. Roles have fixed names (path "/"): the log's resource policy names
 * the roles that may PutItem on it by a constructed ARN, which a Fn::GetAtt cannot give (each role's
 * own policy names the table: a dependency cycle). So a stage name is once per account (IAM is global).
 */
function deployNames({ service = DEFAULT_SERVICE, stage, stateTableSuffix = '', centralBus = false }) {
  if (!STAGE_PATTERN.test(stage)) throw settingError(`stage must be 1 to 16 letters, digits or "-", got "${stage}"`);
  const prefix = `${service}-${stage}`;
  const roles = byFunction((fn) => `${prefix}-${fn}`);
  for (const name of Object.values(roles)) {
    if (name.length > MAX_ROLE_NAME) {
      throw settingError(
        `role name ${name} is longer than ${MAX_ROLE_NAME} characters (IAM's limit): shorten the stage`,
      );
    }
  }
  const ingestRule = `${prefix}-ecs-events`;
  // With organization parameters the ingest rule listens on a bus of this stack's own (docs/organization.md).
  const eventBus = centralBus ? prefix : 'default';
  return {
    service,
    stage,
    /** POWERTOOLS_SERVICE_NAME: the functions' log and metric `service`. */
    prefix,
    metricsNamespace: METRICS_NAMESPACE,
    tables: tableNames(stage, stateTableSuffix),
    roles,
    functions: byFunction((fn) => `${prefix}-${fn}`),
    ingestRule,
    reconcileRule: `${prefix}-reconcile`,
    // The self-audit rule on the default bus (deploy/selfAudit.cjs), and the us-east-1 rule of the
    // bootstrap stack that forwards the IAM calls on the store's roles to it (deploy/bootstrap.cjs).
    selfAuditRules: Object.fromEntries(
      SELF_AUDITED_SERVICES.map((service) => [service, `${prefix}-store-changed-${service}`]),
    ),
    // The same calls to the log (kind storeCall), deployer's included: rules of their own, so that a
    // call cutting this path (DisableRule, RemovePermission) still alarms through the rules above.
    storeCallRules: Object.fromEntries(
      SELF_AUDITED_SERVICES.map((service) => [service, `${prefix}-store-calls-${service}`]),
    ),
    iamForwardRule: `${prefix}-iam-calls`,
    // The alarm topic the stack creates (unless alarmTopicArn names one), and its key's alias.
    alarmTopic: `${prefix}-alarms`,
    alarmTopicKeyAlias: `alias/${prefix}-alarms`,
    // The stack's CloudFormation execution role, made by the bootstrap stack (`ecs-events bootstrap`).
    deploymentRole: `${prefix}-deployer`,
    bootstrapStack: `${prefix}-bootstrap`,
    centralEventBus: prefix,
    eventBus,
    // The last part of the ingest rule's ARN (a rule on a custom bus is rule/<bus>/<rule>).
    ingestRuleArnPath: centralBus ? `rule/${eventBus}/${ingestRule}` : `rule/${ingestRule}`,
    eventArchive: `${prefix}-ecs-events`.slice(0, MAX_ARCHIVE_NAME),
    queues: {
      ingestFailures: `${prefix}-ingest-failures`,
      ingestRuleDeadLetters: `${prefix}-ingest-rule-dlq`,
      projectorFailures: `${prefix}-projector-failures`,
      logTampered: `${prefix}-log-tampered`,
    },
  };
}

module.exports = { DEFAULT_SERVICE, DEFAULT_STAGE, FUNCTIONS, SELF_AUDITED_SERVICES, tableNames, deployNames };
