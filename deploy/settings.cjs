// The validated settings of one deployment, from the raw parameter values: what serverless.yml reads
// as ${self:custom.settings.<key>} and what every renderer of deploy/ renders from.
'use strict';

const { coldStoreSettings } = require('./coldStore.cjs');
const { ref, stackArn } = require('./intrinsics.cjs');
const { LOGICAL_IDS } = require('./logicalIds.cjs');
const { DEFAULT_SERVICE, deployNames } = require('./names.cjs');
const p = require('./parameters.cjs');
const { ECS_EVENT_PATTERN, routingSettings } = require('./routing.cjs');

/** The `params:` of serverless.yml (its `default:` block documents each), read by name. */
const PARAMETERS = Object.freeze([
  'stateTableSuffix',
  'stateTtlDays',
  'eventLogRetentionDays',
  'redactOverrideEnvironment',
  'logLevel',
  'lambdaLogRetentionDays',
  'iteratorAgeAlarmSeconds',
  'alarmTopicArn',
  'logRepairPrincipalArn',
  'logRepairExpiresAt',
  'deploymentRoleArn',
  'organizationId',
  'memberAccountIds',
  'eventArchiveRetentionDays',
  'metricAccountIds',
  'reconcileSchedule',
  'reconcileClusters',
  'reconcileRate',
  'coldStore',
  'athenaQueryLimitGb',
]);

/** The reconciler's settings: its schedule, its clusters (names; ARNs for its environment), its rate. */
function reconcileSettings(raw) {
  const schedule = p.reconcileScheduleSetting(raw.reconcileSchedule ?? 'rate(1 hour)');
  const clusters = p.clusterNamesSetting(raw.reconcileClusters);
  const clusterArns = clusters.map((name) => stackArn('ecs', `cluster/${name}`));
  return {
    reconcileScheduleExpression: schedule.expression,
    reconcileScheduleEnabled: schedule.enabled,
    reconcileClusterNames: clusters,
    reconcileRate: String(p.reconcileRateSetting(raw.reconcileRate ?? '10')),
    // RECONCILE_CLUSTERS: the ARNs, comma-separated ("" = every cluster ListClusters returns).
    reconcileClustersEnv: clusters.length === 0 ? '' : { 'Fn::Join': [',', clusterArns] },
  };
}

/**
 * Validated deploy settings from the raw parameter values (strings from `--param`, or the `params:`
 * defaults of serverless.yml), `stage` and `service`. Every error names the parameter and the rule.
 */
function deploySettings(raw) {
  const organizationId = p.organizationIdSetting(raw.organizationId);
  const memberAccountIds = p.accountIdsSetting('memberAccountIds', raw.memberAccountIds);
  const names = deployNames({
    service: String(raw.service ?? DEFAULT_SERVICE),
    stage: String(raw.stage ?? ''),
    stateTableSuffix: String(raw.stateTableSuffix ?? '').trim(),
    centralBus: organizationId !== '' || memberAccountIds.length > 0,
  });
  const lambdaLogRetentionDays = p.logGroupRetentionSetting('lambdaLogRetentionDays', raw.lambdaLogRetentionDays);
  const alarmTopicArn = p.alarmTopicSetting(raw.alarmTopicArn);
  const logRepairPrincipalArn = p.repairPrincipalSetting(raw.logRepairPrincipalArn);
  const deploymentRoleArn = p.deploymentRoleSetting(raw.deploymentRoleArn);
  return {
    stage: names.stage,
    names,
    tableNames: names.tables,
    // Lambda environment values are strings.
    stateTtlDays: String(p.integerSetting('stateTtlDays', raw.stateTtlDays)),
    eventLogRetentionDays: String(p.integerSetting('eventLogRetentionDays', raw.eventLogRetentionDays)),
    redactOverrideEnvironment: String(p.booleanSetting('redactOverrideEnvironment', raw.redactOverrideEnvironment)),
    logLevel: p.logLevelSetting(raw.logLevel),
    lambdaLogRetentionDays,
    // Up to a week: Lambda gives up on stream records long before (maximumRecordAgeInSeconds).
    iteratorAgeAlarmMs:
      p.integerSetting('iteratorAgeAlarmSeconds', raw.iteratorAgeAlarmSeconds, { min: 1, max: 7 * 86_400 }) * 1000,
    // Every alarm notifies: the topic given, or the stack's own (deploy/alarmTopic.cjs).
    alarmTopicArn,
    createAlarmTopic: alarmTopicArn === '',
    alarmActions: [alarmTopicArn === '' ? ref(LOGICAL_IDS.alarmTopic.topic) : alarmTopicArn],
    logRepairPrincipalArn,
    logRepairExpiresAt: p.repairExpirySetting(raw.logRepairExpiresAt, logRepairPrincipalArn),
    // The one source of both: osls deploys through this role (provider.iam of serverless.yml), and the
    // log's and the tamper queue's policies let only it make control-plane changes. Were they to
    // differ, the update (and its rollback) would be denied by the policy it is changing.
    deploymentRoleArn,
    providerIam: deploymentRoleArn === '' ? {} : { deploymentRole: deploymentRoleArn },
    ecsEventPattern: ECS_EVENT_PATTERN,
    ...routingSettings({
      names,
      organizationId,
      memberAccountIds,
      metricAccountIds: p.accountIdsSetting('metricAccountIds', raw.metricAccountIds),
      archive: p.archiveRetentionSetting(raw.eventArchiveRetentionDays ?? 30),
    }),
    ...reconcileSettings(raw),
    ...coldStoreSettings(raw, names),
  };
}

/** Reads the stage, the service and the parameters through Serverless' variable resolver. */
async function resolvedSettings({ resolveVariable }) {
  const raw = {
    stage: await resolveVariable('sls:stage'),
    service: await resolveVariable('self:service'),
  };
  for (const name of PARAMETERS) raw[name] = await resolveVariable(`param:${name}`);
  const settings = deploySettings(raw);
  if (settings.deploymentRoleArn === '') warnOnce(TRIPWIRE_WARNING);
  return settings;
}

/** What a deploy without `deploymentRoleArn` says (docs/deploy.md "The deployment role"). */
const TRIPWIRE_WARNING = [
  'WARNING: deploymentRoleArn is not set: the event log is a tripwire, not a barrier.',
  "  Any administrator of this account can lift the log's lock (PutResourcePolicy, DeleteResourcePolicy,",
  '  UpdateTable, UpdateTimeToLive) or purge the tamper queue; StoreChanged alarms, nothing refuses it.',
  "  Set it: `npx ecs-events bootstrap --stage <stage>` prints the deployment role's template; deploy it,",
  '  then deploy with --param="deploymentRoleArn=<its DeploymentRoleArn output>" (docs/deploy.md).',
].join('\n');

let warned = false;
function warnOnce(message) {
  if (warned) return;
  warned = true;
  process.stderr.write(`${message}\n`);
}

module.exports = { PARAMETERS, TRIPWIRE_WARNING, deploySettings, resolvedSettings };
