// The deploy model's entry point: what serverless.yml loads through ${file(deploy/cloudformation.cjs):...}
// (the settings, and every resource deploy/ renders), and what the tests and the CLI import. CommonJS
// because ${file()} loads no TypeScript or ESM (docs/architecture.md "How to add an AWS resource").
// The renderers are pure functions of the settings; the async exports are what Serverless calls, with
// its own `resolveVariable`.
'use strict';

const { alarmResources } = require('./alarms.cjs');
const { alarmTopicResources } = require('./alarmTopic.cjs');
const { coldStoreConditions, coldStoreResources } = require('./coldStore.cjs');
const { CONDITIONS, LOGICAL_IDS } = require('./logicalIds.cjs');
const { deployNames, tableNames } = require('./names.cjs');
const { queueResources } = require('./queues.cjs');
const { APPEND_ROLES, reconcilerStatements, roleResources } = require('./roles.cjs');
const { ECS_EVENT_PATTERN, routingConditions, routingResources } = require('./routing.cjs');
const { deploySettings, resolvedSettings } = require('./settings.cjs');
const { selfAuditPatterns, selfAuditResources } = require('./selfAudit.cjs');
const { tableResources } = require('./tables.cjs');

/** Every renderer of resources, one a concern: a new one is added here (and only here). */
const RENDERERS = [
  tableResources,
  routingResources,
  queueResources,
  roleResources,
  alarmResources,
  alarmTopicResources,
  selfAuditResources,
  coldStoreResources,
];

/** The rendered part of the template: what serverless.yml merges with what it writes out. */
function renderedTemplate(settings) {
  const Resources = {};
  for (const render of RENDERERS) {
    for (const [id, resource] of Object.entries(render(settings))) {
      if (id in Resources) throw new Error(`deploy/: logical id ${id} is rendered twice`);
      Resources[id] = resource;
    }
  }
  return { Resources, Conditions: { ...routingConditions(settings), ...coldStoreConditions(settings) } };
}

module.exports = {
  // serverless.yml: ${file(deploy/cloudformation.cjs):settings} (custom.settings), and :resources (merged
  // into its `resources`).
  settings: resolvedSettings,
  resources: async ({ resolveVariable }) => renderedTemplate(await resolveVariable('self:custom.settings')),
  // For the tests and the CLI.
  LOGICAL_IDS,
  TABLE_LOGICAL_IDS: LOGICAL_IDS.tables,
  ROUTING_LOGICAL_IDS: LOGICAL_IDS.routing,
  ROUTING_CONDITIONS: CONDITIONS,
  ECS_EVENT_PATTERN,
  APPEND_ROLES,
  deployNames,
  tableNames,
  deploySettings,
  renderedTemplate,
  tableResources,
  routingResources,
  reconcilerStatements,
  selfAuditPatterns,
};
