import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The SDK warns on Node 20 at import time; it is only a warning (see README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Pure suites (no DynamoDB, no Java) end in `.domain.test.ts`; every other suite runs on the one
 * DynamoDB Local of the run. `npx vitest run --project 'pure*'` never starts Java.
 */
const PURE = 'test/**/*.domain.test.ts';

/**
 * Pure suites share their modules within a worker (`isolate: false`: each module is loaded once per
 * worker, not once per file, which halved the pure project's time), except those that need a module
 * graph of their own: a `vi.mock` applies only to modules loaded after it, and stubs or patches of
 * globals would outlive their file. Those run isolated, in project pure-isolated.
 */
const NEEDS_ISOLATION =
  /\bvi\.(mock|doMock|hoisted|stubEnv|stubGlobal|useFakeTimers)\(|\.prototype\.\w+\s*=|process\.on\(/;
const TEST_DIR = fileURLToPath(new URL('./test/', import.meta.url));
const ISOLATED_PURE = readdirSync(TEST_DIR, { recursive: true, encoding: 'utf8' })
  .map((f) => f.replaceAll('\\', '/'))
  .filter((f) => f.endsWith('.domain.test.ts') && NEEDS_ISOLATION.test(readFileSync(`${TEST_DIR}${f}`, 'utf8')))
  .map((f) => `test/${f}`);
/** A pure suite that reaches for DynamoDB fails in the full run as it does alone (nothing listens on port 9). */
const NO_DYNAMODB = {
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
  AWS_ENDPOINT_URL_DYNAMODB_STREAMS: 'http://127.0.0.1:9',
};

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
          exclude: [...configDefaults.exclude, ...ISOLATED_PURE],
          isolate: false,
          // The test CLI (test/support/runCli.ts), bundled once per run from the current sources.
          globalSetup: [CLI_BUNDLE],
          env: NO_DYNAMODB,
        },
      },
      {
        extends: true,
        test: {
          name: 'pure-isolated',
          // An empty list would select every file: name one that does not exist instead.
          include: ISOLATED_PURE.length > 0 ? ISOLATED_PURE : ['test/no-such-file'],
          globalSetup: [CLI_BUNDLE],
          env: NO_DYNAMODB,
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
