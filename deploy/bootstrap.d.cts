// Types of deploy/bootstrap.cjs.
type Json = Record<string, unknown>;
export interface BootstrapInput {
  service?: string;
  stage: string;
  /** The region of the store's stack: outside us-east-1, IAM's calls are forwarded from there. */
  storeRegion: string;
}
/** The bootstrap stack's template: the deployment role, and the IAM-call forwarder (us-east-1). */
export declare function bootstrapTemplate(input: BootstrapInput): Json & { Resources: Record<string, Json> };
/** The deployment role's statements, on the stage's names. */
export declare function deploymentStatements(names: import('./names.cjs').DeployNames): Json[];
/** The organization SCP of a stage: what resource policies cannot deny. */
export declare function storeScp(input: { service?: string; stage: string }): { Version: string; Statement: Json[] };
