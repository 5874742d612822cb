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
