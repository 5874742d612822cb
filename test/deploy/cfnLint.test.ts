// cfn-lint on the three service templates and the member template, when cfn-lint is on the PATH.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_TEMPLATE, runAsync } from '../support/packaging.js';
import { type Json, loadTemplates } from './template.js';

const cfnLintVersion = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const hasCfnLint = cfnLintVersion.status === 0;
if (!hasCfnLint) {
  console.warn('SKIPPED cfn-lint check: `cfn-lint` is not on PATH (pip install cfn-lint); CI has it and runs it.');
}
let cfnLint: ReturnType<typeof runAsync> | undefined;

beforeAll(async () => {
  const { packaged } = await loadTemplates();
  if (hasCfnLint) {
    const dirs = [packaged.default.dir, packaged.custom.dir, packaged.organization.dir];
    const files = dirs.map((dir) => join(dir, 'cloudformation-template-update-stack.json'));
    files.push(MEMBER_TEMPLATE);
    cfnLint = runAsync('cfn-lint', ['--format', 'json', ...files]);
  }
});

describe('cfn-lint', () => {
  it.skipIf(!hasCfnLint)(
    hasCfnLint
      ? `finds zero errors in the service templates (default, custom, organization) and the member template (${cfnLintVersion.stdout.trim()})`
      : 'SKIPPED: cfn-lint not on PATH',
    async () => {
      const run = await (cfnLint as ReturnType<typeof runAsync>);
      const findings: Json[] = JSON.parse(run.stdout || '[]');
      const errors = findings.filter((f) => f.Level === 'Error');
      // Warnings do not fail the check (osls adds a DependsOn that W3005 calls redundant).
      expect(errors, JSON.stringify(errors, null, 2)).toEqual([]);
    },
  );
});
