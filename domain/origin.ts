import { ACCOUNT, REGION } from './arn.js';
/**
 * Where an event came from, as the ingest metrics count it (the `account` and `region` of the
 * EventBridge envelope: for a forwarded event, the member account and region where ECS emitted it).
 *
 * Each distinct dimension value is a CloudWatch custom metric billed by the month, so both sets are
 * kept bounded: an account is counted under its own id only when the deployment lists it
 * (METRIC_ACCOUNT_IDS, at most 50: deploy/routing.cjs), every other one as "other"; a region
 * is counted under its name when it is shaped like an AWS region name (AWS has a few dozen), else
 * "other". Per-account and per-region series are separate (accounts + regions, not their product).
 */
export interface MetricOrigin {
  readonly account: string;
  readonly region: string;
}

/** The value every unlisted account and every unrecognisable region is counted under. */
const OTHER_ORIGIN = 'other';

/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-7`. */

/** The account list of METRIC_ACCOUNT_IDS ("111122223333,444455556666"); malformed ids are ignored. */
export function countedAccounts(list: string | undefined): ReadonlySet<string> {
  return new Set(
    (list ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => ACCOUNT.test(id)),
  );
}

export function metricOrigin(event: unknown, counted: ReadonlySet<string>): MetricOrigin {
  const envelope = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  const { account, region } = envelope;
  return {
    account: typeof account === 'string' && counted.has(account) ? account : OTHER_ORIGIN,
    region: typeof region === 'string' && REGION.test(region) ? region : OTHER_ORIGIN,
  };
}
