import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The SDK warns on Node 20 at import time; it is only a warning (see README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Pure suites (no DynamoDB, no Java) end in `.domain.test.ts`; every other suite runs on the one
 * DynamoDB Local of the run. `npx vitest run --project pure` never starts Java.
 */
const PURE = 'test/**/*.domain.test.ts';

/** Both projects spawn `ecs-events`; they share the one bundle of it that this setup builds per run. */
const CLI_BUNDLE = 'test/support/cliBundle.ts';

/**
 * DynamoDB Local backfills a new index in time that grows with everything the run has stored in its one
 * shared database (seconds at the start, minutes near the end), so the index-migration suite runs first.
 */
class MigrationFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = (f: TestSpecification) => (f.moduleId.endsWith('indexMigration.test.ts') ? 0 : 1);
    return sorted.sort((a, b) => first(a) - first(b));
  }
}

export default defineConfig({
  test: {
    pool: 'forks',
    // For the whole run, both projects together (2 cores).
    maxWorkers: 2,
    sequence: { sequencer: MigrationFirst },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'pure',
          include: [PURE],
          // The test CLI (test/support/runCli.ts), bundled once per run from the current sources.
          globalSetup: [CLI_BUNDLE],
          // A pure suite that reaches for DynamoDB fails in the full run as it does alone (nothing listens on port 9).
          env: {
            AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
            AWS_ENDPOINT_URL_DYNAMODB_STREAMS: 'http://127.0.0.1:9',
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'dynamodb',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, PURE],
          // One DynamoDB Local for the whole run (2 cores: never one JVM per file), and the folder the
          // deploy suites (test/deploy/) package into once, when one of them runs.
          globalSetup: ['test/support/globalSetup.ts', 'test/support/packagingRun.ts', CLI_BUNDLE],
        },
      },
    ],
  },
});
