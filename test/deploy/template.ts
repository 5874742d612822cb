// What the deploy suites read from a packaged template: its shape, the run's three templates, and the
// policy statements in it.
import { expect } from 'vitest';
import { type Packaged, packaged, readTemplate } from '../support/packaging.js';

// A CloudFormation template is untyped JSON.
export type Json = any;
export interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: unknown;
  Condition?: string;
}
export interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

export const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });
export const ref = (logicalId: string) => ({ Ref: logicalId });

/** The run's templates: defaults (`template`, stage dev), every parameter set (`custom`), an organization. */
export interface Templates {
  packaged: Packaged;
  template: Template;
  custom: Template;
  organization: Template;
}

/** The run's templates, for a suite's beforeAll: the run packages once (test/support/packaging.ts). */
export async function loadTemplates(): Promise<Templates> {
  const run = await packaged();
  expect(run.build.status, run.build.output).toBe(0);
  for (const step of [run.default, run.custom, run.organization]) expect(step.status, step.output).toBe(0);
  return {
    packaged: run,
    template: readTemplate<Template>(run.default.dir),
    custom: readTemplate<Template>(run.custom.dir),
    organization: readTemplate<Template>(run.organization.dir),
  };
}

/** Every statement of every policy document in the template, with the resource that holds it. */
export function policyStatements(template: Template): { holder: string; statement: Json }[] {
  const out: { holder: string; statement: Json }[] = [];
  const add = (holder: string, document: Json) => {
    for (const statement of [document?.Statement ?? []].flat()) out.push({ holder, statement });
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    for (const policy of r.Properties?.Policies ?? []) add(id, policy.PolicyDocument);
    if (r.Properties?.PolicyDocument) add(id, r.Properties.PolicyDocument);
    if (r.Properties?.ResourcePolicy) add(id, r.Properties.ResourcePolicy.PolicyDocument);
  }
  return out;
}

export const actionsOf = (statement: Json): string[] => [statement.Action].flat();
export const resourcesOf = (statement: Json): unknown[] => [statement.Resource].flat();
