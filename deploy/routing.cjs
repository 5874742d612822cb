// Where ECS events arrive: the one event pattern (ingest rule, archive, member forwarders), the
// organization's central bus and its policy, and the archive of the bus the ingest rule listens to.
'use strict';

const { CONDITIONS, LOGICAL_IDS } = require('./logicalIds.cjs');
const { accountRootArn, getAtt, stackArn } = require('./intrinsics.cjs');
const { settingError } = require('./parameters.cjs');
const { CALL_ACTIONS, CALL_DETAIL_TYPE, ECS_EVENT_SOURCE } = require('../domain/apiCalls/actions.cjs');

/**
 * Every ECS event, whatever its detail-type (ECS names them all "ECS ..."), and the ECS API calls the
 * store keeps (CloudTrail's records, also source aws.ecs, of the write calls of
 * domain/apiCalls/actions.cjs): the one pattern of the ingest rule, the event archive (so `replay`
 * brings calls back too), and the member accounts' forwarding rule (deploy/member-forwarder.yml writes
 * it out; the deploy tests check that it is this one). Read-only calls never match: their names are
 * not in the list.
 */
const ECS_EVENT_PATTERN = Object.freeze({
  $or: Object.freeze([
    Object.freeze({
      source: Object.freeze(['aws.ecs']),
      'detail-type': Object.freeze([Object.freeze({ prefix: 'ECS ' })]),
    }),
    Object.freeze({
      source: Object.freeze(['aws.ecs']),
      'detail-type': Object.freeze([CALL_DETAIL_TYPE]),
      detail: Object.freeze({
        eventSource: Object.freeze([ECS_EVENT_SOURCE]),
        eventName: Object.freeze(Object.keys(CALL_ACTIONS)),
      }),
    }),
  ]),
});

/** At most this many account ids get their own metric dimension value (the rest count as "other"). */
const MAX_METRIC_ACCOUNTS = 50;

/**
 * The routing settings. With an `organizationId` and/or `memberAccountIds`, a dedicated bus
 * (`<service>-<stage>`) that those accounts may forward ECS events to, *instead of* the default bus
 * (one bus, one rule, one archive, one replay target: the central account's own ECS events reach it
 * through the member stack too). Without them, the default bus. `names` are deployNames' of the stage.
 */
function routingSettings({ names, organizationId, memberAccountIds, metricAccountIds, archive }) {
  const central = names.eventBus !== 'default';
  const metricAccounts = metricAccountIds.length > 0 ? metricAccountIds : memberAccountIds;
  if (metricAccounts.length > MAX_METRIC_ACCOUNTS) {
    throw settingError(
      `parameter metricAccountIds (or memberAccountIds) lists ${metricAccounts.length} accounts; at most ${MAX_METRIC_ACCOUNTS} get their own metric (a custom metric each)`,
    );
  }
  return {
    centralEventBus: central,
    organizationId,
    memberAccountIds,
    // The bus the ingest rule listens to and the archive records.
    eventBusName: names.eventBus,
    centralEventBusName: names.centralEventBus,
    // What osls's eventBridge `eventBus` takes: "default", or the bus of this stack by GetAtt (so osls creates none).
    ingestEventBus: central ? getAtt(LOGICAL_IDS.routing.centralEventBus, 'Name') : 'default',
    ingestRuleArnPath: names.ingestRuleArnPath,
    ingestRuleArn: stackArn('events', names.ingestRuleArnPath),
    // Metric dimensions of the rule: only RuleName on the default bus, EventBusName + RuleName on a custom one.
    ingestRuleMetricDimensions: [
      ...(central ? [{ Name: 'EventBusName', Value: names.eventBus }] : []),
      { Name: 'RuleName', Value: names.ingestRule },
    ],
    eventArchive: archive,
    eventArchiveName: names.eventArchive,
    // The ingest function's environment: the accounts counted under their own id, and whether
    // `Ingested` is counted by account and region at all (an organization's store; in one account's
    // it would only repeat the total).
    metricAccountIds: metricAccounts.join(','),
    metricOrigins: String(central || metricAccounts.length > 0),
  };
}

/**
 * The central bus's resource policy: PutEvents on this bus only, only for ECS events and ECS API calls
 * (source aws.ecs, detail-type "ECS ..." or "AWS API Call via CloudTrail"), only by principals of the
 * organization and/or of the listed accounts. PutEvents refuses a source starting with "aws." from any
 * caller, so such events can only arrive through a rule forwarding what ECS emitted in the sender's
 * own account (docs/organization.md). A `ForAllValues` condition is true when its key is absent, so
 * each has a `Null` check beside it: a request without a source or detail-type is not admitted.
 */
function centralBusPolicy(settings) {
  const forward = (Sid, Principal, Condition) => ({
    Sid,
    Effect: 'Allow',
    Principal,
    Action: 'events:PutEvents',
    Resource: stackArn('events', `event-bus/${settings.eventBusName}`),
    Condition,
  });
  const ecsEventsOnly = {
    'ForAllValues:StringEquals': { 'events:source': ['aws.ecs'] },
    'ForAllValues:StringLike': { 'events:detail-type': ['ECS *', CALL_DETAIL_TYPE] },
    Null: { 'events:source': 'false', 'events:detail-type': 'false' },
  };
  const statements = [];
  if (settings.organizationId !== '') {
    statements.push(
      forward('OrganizationMayForwardEcsEvents', '*', {
        StringEquals: { 'aws:PrincipalOrgID': settings.organizationId },
        ...ecsEventsOnly,
      }),
    );
  }
  if (settings.memberAccountIds.length > 0) {
    const accounts = { AWS: settings.memberAccountIds.map(accountRootArn) };
    statements.push(forward('MemberAccountsMayForwardEcsEvents', accounts, ecsEventsOnly));
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The conditions of the routing resources: constants, false when a resource is disabled. Both logical
 * ids are always in the template; a disabled one carries its condition, so CloudFormation creates
 * nothing for it. The outputs about them (serverless.yml) use the same conditions.
 */
const routingConditions = (settings) => ({
  [CONDITIONS.centralEventBus]: { 'Fn::Equals': [String(settings.centralEventBus), 'true'] },
  [CONDITIONS.eventArchive]: { 'Fn::Equals': [String(settings.eventArchive.enabled), 'true'] },
});

/**
 * The event-routing resources, keyed by logical id: the central bus (created only with organization
 * parameters) and the archive of the bus the ingest rule listens to (unless eventArchiveRetentionDays is off).
 */
function routingResources(settings) {
  const ids = LOGICAL_IDS.routing;
  const central = settings.centralEventBus;
  const archive = settings.eventArchive;
  return {
    [ids.centralEventBus]: {
      Type: 'AWS::Events::EventBus',
      ...(!central && { Condition: CONDITIONS.centralEventBus }),
      Properties: {
        Name: settings.centralEventBusName,
        Description: 'ECS events forwarded by the member accounts of the organization to the ECS event store',
        ...(central && { Policy: centralBusPolicy(settings) }),
      },
    },
    [ids.eventArchive]: {
      Type: 'AWS::Events::Archive',
      ...(!archive.enabled && { Condition: CONDITIONS.eventArchive }),
      Properties: {
        ArchiveName: settings.eventArchiveName,
        Description: 'Every ECS event of the ingest bus, for `ecs-events replay` after an outage',
        SourceArn: central ? getAtt(ids.centralEventBus) : stackArn('events', 'event-bus/default'),
        EventPattern: settings.ecsEventPattern,
        ...(archive.enabled && { RetentionDays: archive.retentionDays }),
      },
    },
  };
}

module.exports = { ECS_EVENT_PATTERN, routingSettings, routingConditions, routingResources };
