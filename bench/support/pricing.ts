// DynamoDB on-demand prices the benchmark turns capacity units and bytes into dollars with.
// us-east-1, Standard table class, on-demand, public rates in effect since the 1 November 2024
// price cut (on-demand throughput halved), read 2026-12-02 from:
// - https://aws.amazon.com/dynamodb/pricing/on-demand/ (request units, storage, PITR);
// - aws/agent-toolkit-for-aws, skills/.../amazon-dynamodb/scripts/calculate_costs.py (commit d6ad2e4,
//   2026-08-20), AWS's own cost calculator: WRU $0.625, RRU $0.125 per million, storage $0.25/GB-month;
// - PITR (continuous backups) $0.20 per GB-month of table size.
// Change them here and every figure follows; the date is printed with every dollar figure.

export const PRICES = {
  region: 'us-east-1',
  asOf: '2026-12-02 (rates of the 2024-11-01 on-demand price cut)',
  source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  /** $ per write request unit (1 KB of a standard write). */
  writeUnit: 0.625 / 1e6,
  /** $ per read request unit (4 KB strongly consistent; an eventually consistent read is half a unit). */
  readUnit: 0.125 / 1e6,
  /** $ per GB-month of table and index storage (item bytes + 100 bytes per item, decimal GB). */
  storageGbMonth: 0.25,
  /** $ per GB-month of point-in-time recovery (the table's size; indexes are not backed up). */
  pitrGbMonth: 0.2,
} as const;

/** Dollars for so many write and read units. */
export const unitDollars = (writeUnits: number, readUnits: number): number =>
  writeUnits * PRICES.writeUnit + readUnits * PRICES.readUnit;

/**
 * Everything else the store's path is billed for, per unit, us-east-1, on-demand list prices read
 * 2026-12-07 (free tiers left out: they are per account and month, not per event). Sources:
 * - Lambda: https://aws.amazon.com/lambda/pricing/ — $0.20 per million requests; arm64 (Graviton)
 *   $0.0000133334 per GB-second for the first 7.5 billion GB-seconds a month (x86 $0.0000166667);
 *   billed per 1 ms, rounded up; initialisation code is billed as duration too (the page: "Duration
 *   charges apply to code that runs in the handler of a function as well as initialization code").
 * - CloudWatch: https://aws.amazon.com/cloudwatch/pricing/ — logs ingested (Standard class) $0.50 per
 *   GB, Lambda's own logs tiered from May 2025 with the first 10 TB a month still at $0.50 (the
 *   Infrequent Access class, $0.25, extracts no EMF metrics, so it is not an option for these logs);
 *   stored $0.03 per GB-month; custom metrics $0.30 per metric-month (first 10,000, prorated by the
 *   hour a series receives data); standard alarms $0.10 per alarm metric-month.
 * - EventBridge: https://aws.amazon.com/eventbridge/pricing/ — AWS service (management) events on
 *   the default bus: free; events a rule sends to an event bus of another account (the organization
 *   bus, docs/organization.md) billed as custom events, $1.00 per million 64 KB chunks; archive
 *   $0.10 per GB archived and $0.023 per GB-month stored.
 * - SQS: https://aws.amazon.com/sqs/pricing/ — standard queues $0.40 per million requests (64 KB chunks).
 * - DynamoDB Streams read by a Lambda trigger: free (https://aws.amazon.com/dynamodb/pricing/on-demand/).
 * - Data Firehose (Direct PUT) $0.029 per GB ingested, each record rounded up to 5 KB; S3 Standard
 *   $0.023 per GB-month; Athena $5 per TB scanned: for the cold store, which does not exist yet.
 */
export const BILL_PRICES = {
  region: 'us-east-1',
  asOf: '2026-12-07',
  lambdaRequest: 0.2 / 1e6,
  /** $ per GB-second, arm64 (serverless.yml `architecture: arm64`), first pricing tier. */
  lambdaGbSecond: 0.0000133334,
  logsIngestedGb: 0.5,
  logsStoredGbMonth: 0.03,
  customMetricMonth: 0.3,
  alarmMonth: 0.1,
  /** Per AWS service event on the default bus. */
  eventBridgeDefaultBus: 0,
  /** Per event (64 KB chunk) a member account's rule forwards to the organization bus. */
  eventBridgeCrossAccount: 1 / 1e6,
  archiveGb: 0.1,
  archiveStoredGbMonth: 0.023,
  sqsRequest: 0.4 / 1e6,
  streamsReadByLambda: 0,
  firehoseGb: 0.029,
  firehoseRecordRoundingBytes: 5 * 1024,
  s3GbMonth: 0.023,
  athenaTbScanned: 5,
  sources: [
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
    'https://aws.amazon.com/eventbridge/pricing/',
    'https://aws.amazon.com/sqs/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/firehose/pricing/',
  ],
} as const;

/** Decimal GB, as AWS bills bytes. */
export const GB = 1e9;
