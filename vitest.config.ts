import { configDefaults, defineConfig } from 'vitest/config';

// The SDK warns on Node 20 at import time; it is only a warning (see README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Pure suites (no DynamoDB, no Java) end in `.domain.test.ts`; every other suite runs on the one
 * DynamoDB Local of the run. `npx vitest run --project pure` never starts Java.
 */
const PURE = 'test/**/*.domain.test.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    // For the whole run, both projects together (2 cores).
    maxWorkers: 2,
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
          // One DynamoDB Local for the whole run (2 cores: never one JVM per file).
          globalSetup: ['test/support/globalSetup.ts'],
        },
      },
    ],
  },
});
