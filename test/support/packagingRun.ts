import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * The run's packaging folder, and nothing more: the deploy suites package into it once, lazily
 * (test/support/packaging.ts), so a run without them pays nothing. Removed when the run ends.
 */
export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-events-packaging-'));
  project.provide('packagingDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
