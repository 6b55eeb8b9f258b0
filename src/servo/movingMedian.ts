/**
 * Median (and minimum) of the last N values, kept sorted as they come: the propagation-delay filter
 * (linuxptp's delay_filter moving_median), which ignores the occasional software-timestamp spike of
 * tens of µs that a mean would follow.
 */
export class MovingMedian {
  private readonly values: number[] = [];
  private readonly sorted: number[] = [];

  constructor(private readonly length: number) {
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`filter length must be a positive integer, got ${length}`);
  }

  /** Adds a value and returns the median of the window. */
  push(value: number): number {
    this.values.push(value);
    insertSorted(this.sorted, value);
    if (this.values.length > this.length) {
      const old = this.values.shift() as number;
      this.sorted.splice(this.sorted.indexOf(old), 1);
    }
    return this.median();
  }

  median(): number {
    const n = this.sorted.length;
    if (n === 0) return NaN;
    const mid = n >> 1;
    return n % 2 === 1 ? (this.sorted[mid] as number) : ((this.sorted[mid - 1] as number) + (this.sorted[mid] as number)) / 2;
  }

  /** Smallest value in the window (NaN when empty): the minimum-trip-time estimate. */
  min(): number {
    return this.sorted[0] ?? NaN;
  }

  clear(): void {
    this.values.length = 0;
    this.sorted.length = 0;
  }

  get size(): number {
    return this.values.length;
  }
}

function insertSorted(a: number[], v: number): void {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  a.splice(lo, 0, v);
}
