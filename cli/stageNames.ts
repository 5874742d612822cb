/**
 * The names a stage deploys (serverless.yml custom.ingestRuleName; deploy/cloudformation.cjs
 * eventArchiveName): test/deploy.test.ts checks that they are the template's.
 */
export const deployedNames = (stage: string) => ({
  archive: `ecs-event-store-${stage}-ecs-events`.slice(0, 48),
  rule: `ecs-event-store-${stage}-ecs-events`,
});
