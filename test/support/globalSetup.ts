import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../local/dynamoLocal.js';
import { localEnv } from '../../local/localStack.js';

/** Starts the one in-memory DynamoDB Local of the run; every test file makes its own tables in it. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoLocal();
  const env = localEnv(dynamo.endpoint, {});
  // Test workers are forked after this, so they inherit these variables.
  Object.assign(process.env, env);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
