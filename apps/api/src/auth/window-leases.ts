/**
 * A process's share of a fixed-window counter that every API process counts in Redis (an API
 * key's requests, an organization's GraphQL budget): units it added to the counter ahead of use
 * and has not used yet, so that most requests need no Redis round trip.
 *
 * The counter stays exact at its limit: Redis grants only what is left under the limit (a process
 * asking for 8 units when 3 are left gets 3), and a process takes ahead only while the counter is
 * far from its limit (more than LEASE_UNITS x FAR_FACTOR requests' worth left, as this process last
 * saw it); closer, each request adds just what it needs, as without leases. What a process took
 * ahead and had no request for by the end of the window is not used by any other process: at most
 * LEASE_UNITS - 1 requests' worth a process, and only while the counter was far from its limit.
 *
 * An addition whose answer comes after its requests stopped waiting for it (they were let through
 * uncounted, the limiter's deadline) still lands in Redis: its answer is applied when it comes,
 * and what it granted pays first for those requests (grantLate). Before, the units of such an
 * addition were lost: up to LEASE_UNITS - 1 requests refused under the limit each time.
 *
 * Why: on a two-core machine the Redis command was the longest step of the slowest requests (3-8
 * ms of 6-12, bench/load with BENCH_TRACE_SLOW), Redis being one more process waiting for a core.
 */
export interface Lease {
  /** Units added to the counter by this process and not used yet. */
  left: number;
  /** The counter's value after this process's last addition (other processes may have added since). */
  total: number;
  /** This process's addition under way, so that concurrent requests wait for it rather than each add ahead. */
  pending?: PendingAddition;
}

/** An addition sent to Redis and the requests waiting on it. */
export interface PendingAddition {
  /** Whether the request that sent it got its units, or the deadline's rejection. */
  answer: Promise<boolean>;
  /** Set when its requests stopped waiting before the answer came. */
  late: boolean;
  /** Units of the requests let through uncounted while it was late, the sender's included. */
  owed: number;
}

/** How many requests' worth a process adds at once while the counter is far from its limit. */
export const LEASE_UNITS = 8;
/** Far from the limit: more than this many additions of LEASE_UNITS requests' worth left. */
const FAR_FACTOR = 16;

/** The leases of one window: a new window forgets the last one's (their keys expire in Redis). */
export class WindowLeases {
  private window = Number.NaN;
  private readonly byKey = new Map<string, Lease>();

  of(key: string, window: number): Lease {
    if (window !== this.window) {
      this.byKey.clear();
      this.window = window;
    }
    let lease = this.byKey.get(key);
    if (!lease) this.byKey.set(key, (lease = { left: 0, total: 0 }));
    return lease;
  }
}

/** Takes `units` from what the lease has left; false (nothing taken) when it has fewer. */
export function takeLeased(lease: Lease, units: number): boolean {
  if (lease.left < units) return false;
  lease.left -= units;
  return true;
}

/** What to add to the counter for a request that needs `units`: LEASE_UNITS times as much while far from `limit`. */
export function leaseSize(lease: Lease, limit: number, units: number): number {
  return limit - lease.total > units * LEASE_UNITS * FAR_FACTOR ? units * LEASE_UNITS : units;
}

/**
 * Applies the counter's value after adding `size` for a request that needs `units`: true when the
 * request got them (the rest of what was granted stays leased); false when the limit left fewer
 * (what was granted stays leased: a request that needs less may use it).
 */
export function grant(lease: Lease, limit: number, size: number, total: number, units: number): boolean {
  const granted = Math.min(size, Math.max(0, limit - (total - size)));
  lease.total = Math.max(lease.total, total);
  if (granted >= units) {
    lease.left += granted - units;
    return true;
  }
  lease.left += granted;
  return false;
}

/**
 * Applies an answer that came after its requests were let through uncounted: what it granted
 * pays for their `owed` units first, the rest is leased. So each of them is counted once, as if
 * the answer had come in time (past the limit, they were let through over it: failing open).
 */
export function grantLate(lease: Lease, limit: number, size: number, total: number, owed: number): void {
  const granted = Math.min(size, Math.max(0, limit - (total - size)));
  lease.total = Math.max(lease.total, total);
  lease.left += Math.max(0, granted - owed);
}

/** The units counted against the limit as this process knows them: the counter less what it has not used. */
export function usedOf(lease: Lease): number {
  return lease.total - lease.left;
}
