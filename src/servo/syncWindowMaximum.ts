/**
 * The largest of a per-Sync quantity over roughly the last BUCKETS × BUCKET_SYNCS Syncs (4096: 8.5 min
 * at 8 Sync/s), for the error bound's asymmetry term (servoErrorBound.ts): the filtered meanLinkDelay,
 * and the size of the phase changes the servo believed. A software-timestamped path's latencies move
 * with the host's load: within one lab run the measured meanLinkDelay dipped from 1.3 µs to 0.73 µs for
 * 20 s while the Syncs' own latency stayed at 2.05 µs, so the maximum of the last 64 Syncs (8 s) no
 * longer bounded the asymmetry. A memory of minutes keeps what the link has shown it can do. Counted
 * in Syncs, not in time, so that a stepped timestamp clock does not disturb it.
 */
export class SyncWindowMaximum {
  /** The maximum of each finished bucket, a ring; NaN where none yet. */
  private readonly buckets = new Float64Array(BUCKETS).fill(Number.NaN);
  private next = 0;
  /** The largest of the finished buckets: found again only when a bucket finishes, every 64 Syncs. */
  private finishedMax = Number.NEGATIVE_INFINITY;
  private current = Number.NEGATIVE_INFINITY;
  private inCurrent = 0;

  push(value: number): void {
    if (!Number.isFinite(value)) return;
    this.current = Math.max(this.current, value);
    if (++this.inCurrent < BUCKET_SYNCS) return;
    this.buckets[this.next] = this.current;
    this.next = (this.next + 1) % BUCKETS;
    this.current = Number.NEGATIVE_INFINITY;
    this.inCurrent = 0;
    this.finishedMax = Number.NEGATIVE_INFINITY;
    for (const b of this.buckets) if (b > this.finishedMax) this.finishedMax = b;
  }

  /** Forgets everything pushed so far. */
  clear(): void {
    this.buckets.fill(Number.NaN);
    this.next = 0;
    this.finishedMax = Number.NEGATIVE_INFINITY;
    this.current = Number.NEGATIVE_INFINITY;
    this.inCurrent = 0;
  }

  /** The largest value pushed in the remembered Syncs; undefined before the first. O(1): the bound asks for it per snapshot. */
  max(): number | undefined {
    const m = Math.max(this.current, this.finishedMax);
    return m === Number.NEGATIVE_INFINITY ? undefined : m;
  }
}

/** Syncs per bucket and buckets remembered: 4096 Syncs in all. */
const BUCKET_SYNCS = 64;
const BUCKETS = 64;
