// One naming function (deploy/names.cjs) for the renderer and the CLI: every name it gives a stage is
// the one in the packaged template, and its defaults are serverless.yml's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STAGE, stageNames } from '../../cli/stageNames.js';
import cfn from '../../deploy/cloudformation.cjs';
import names from '../../deploy/names.cjs';
import { root } from '../support/packaging.js';
import { type Json, loadTemplates, type Template } from './template.js';

let template: Template;
let custom: Template;
let organization: Template;

beforeAll(async () => {
  ({ template, custom, organization } = await loadTemplates());
});

/** The names a template gives what the naming function names. */
function namesIn(t: Template) {
  const R = t.Resources;
  const ids = cfn.LOGICAL_IDS;
  const byId = <K extends string>(map: Record<K, string>, name: (r: Json) => unknown) =>
    Object.fromEntries(Object.entries<string>(map).map(([key, id]) => [key, name(R[id]?.Properties)]));
  const rules = Object.values(R).filter((r) => r.Type === 'AWS::Events::Rule');
  const variables = R[ids.functions.ingest]?.Properties.Environment.Variables;
  return {
    tables: byId(ids.tables, (p) => p.TableName),
    roles: byId(ids.roles, (p) => p.RoleName),
    functions: byId(ids.functions, (p) => p.FunctionName),
    queues: byId(ids.queues, (p) => p.QueueName),
    ingestRule: rules.find((r) => r.Properties.EventPattern)?.Properties.Name,
    reconcileRule: rules.find((r) => r.Properties.ScheduleExpression)?.Properties.Name,
    eventArchive: R[ids.routing.eventArchive]?.Properties.ArchiveName,
    centralEventBus: R[ids.routing.centralEventBus]?.Properties.Name,
    prefix: variables.POWERTOOLS_SERVICE_NAME,
    metricsNamespace: variables.POWERTOOLS_METRICS_NAMESPACE,
  };
}

describe('names', () => {
  it("gives every resource of a stage the naming function's name, the one the CLI uses", () => {
    for (const [t, input] of [
      [template, { stage: 'dev' }],
      [custom, { stage: 'prod', stateTableSuffix: '-v2' }],
      [organization, { stage: 'prod', centralBus: true }],
    ] as const) {
      const expected = stageNames(input);
      expect(namesIn(t)).toEqual({
        tables: expected.tables,
        roles: expected.roles,
        functions: expected.functions,
        queues: expected.queues,
        ingestRule: expected.ingestRule,
        reconcileRule: expected.reconcileRule,
        eventArchive: expected.eventArchive,
        centralEventBus: expected.centralEventBus,
        prefix: expected.prefix,
        metricsNamespace: expected.metricsNamespace,
      });
    }
    // The rule's ARN path the dead-letter queue's policy and the CLI's policy name: on the central bus with one.
    const deadLetters = (t: Template) =>
      JSON.stringify(t.Resources.IngestRuleDeadLetterQueuePolicy?.Properties.PolicyDocument.Statement[0].Condition);
    expect(deadLetters(template)).toContain(JSON.stringify(stageNames({ stage: 'dev' }).ingestRuleArnPath));
    expect(deadLetters(organization)).toContain(
      JSON.stringify(stageNames({ stage: 'prod', centralBus: true }).ingestRuleArnPath),
    );
  });

  it("defaults to serverless.yml's service and stage, and refuses what the deploy refuses", () => {
    const service = readFileSync(join(root, 'serverless.yml'), 'utf8');
    expect(service).toMatch(new RegExp(`^service: ${names.DEFAULT_SERVICE}$`, 'm'));
    expect(service).toContain(`stage: \${opt:stage, '${DEFAULT_STAGE}'}`);
    expect(() => stageNames({ stage: 'prod/eu' })).toThrow('stage must be 1 to 16 letters, digits or "-"');
    expect(() => stageNames({ stage: 'dev', stateTableSuffix: 'a/b' })).toThrow(
      'parameter stateTableSuffix may hold only letters',
    );
  });
});
