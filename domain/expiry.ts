import type { Projection } from './projection.js';

/**
 * A projection whose TTL (`expiresAt`, epoch seconds: STOPPED tasks, INACTIVE instances) has passed.
 * DynamoDB TTL deletes such rows, so "no row" is the right state for it: rebuild does not recreate
 * it and verify does not call its absence drift.
 */
export function isExpired(projection: Projection, nowMs: number): boolean {
  const expiresAt = projection.row.expiresAt;
  return typeof expiresAt === 'number' && expiresAt * 1000 <= nowMs;
}
