/**
 * Windowed medians, the one module for them: MovingMedian keeps the median (and minimum) of the last
 * N values sorted as they come — the propagation-delay filter (linuxptp's delay_filter moving_median)
 * of the peer-delay initiator and the servo's optional link-delay filter, which ignore the occasional
 * software-timestamp spike of tens of µs that a mean would follow; medianIn takes the median of a
 * window held elsewhere without allocating (the servo's offset spike filter, its MAD);
 * medianAbsoluteDeviation is the spread the Kalman servo's noise model and the propagation-delay
 * filter's jump test are learned from.
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

  /** Median absolute deviation from the median (NaN when empty): the window's spread, robust to a minority of spikes. */
  mad(): number {
    return this.sorted.length === 0 ? NaN : medianAbsoluteDeviation(this.sorted, this.median());
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

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  return medianIn(values, new Float64Array(values.length));
}

/** MAD × 1.4826 estimates the standard deviation of gaussian noise. */
export const MAD_TO_SIGMA = 1.4826;

/**
 * Median of |value − center| over a non-empty list (center: its median unless given), in the values'
 * unit. Allocates: for windows refreshed now and then, not for every Sync.
 */
export function medianAbsoluteDeviation(values: readonly number[], center = median(values)): number {
  return median(values.map((v) => Math.abs(v - center)));
}

/**
 * Median using `scratch` (at least values.length long) as the work buffer, so that a filter called
 * on every Sync allocates nothing. A selection (Hoare's quickselect) finds it in O(n) without sorting.
 */
export function medianIn(values: readonly number[], scratch: Float64Array): number {
  const n = values.length;
  for (let i = 0; i < n; i++) scratch[i] = values[i] as number;
  return medianInPlace(scratch, n);
}

/** Median of a[0, n) (n ≥ 1), rearranging it: for values already computed into a work buffer. */
export function medianInPlace(scratch: Float64Array, n: number): number {
  const mid = n >> 1;
  const upper = selectInPlace(scratch, n, mid);
  if (n % 2 === 1) return upper;
  // After the selection everything before `mid` is ≤ the upper middle value: the lower one is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if ((scratch[i] as number) > lower) lower = scratch[i] as number;
  return (lower + upper) / 2;
}

/** The k-th smallest (0-based) of a[0, n), rearranging a so that a[0, k) ≤ a[k] ≤ a(k, n). */
function selectInPlace(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] as number;
}
