/**
 * A filter over meanLinkDelay (802.1AS-2020 10.2.5.8) as the servo sees it, against delay spikes: a
 * single Pdelay exchange with a software-timestamp spike of tens of µs would otherwise move the
 * grandmaster time of every Sync until the next exchange.
 *
 *  - 'median': median of the last `length` measurements (robust to up to (length−1)/2 spikes);
 *  - 'min': minimum of the last `length` (queueing only ever adds delay; biased low under white noise);
 *  - 'none': passes the value through.
 *
 * The engine repeats one meanLinkDelay for every Sync until the next Pdelay exchange, so a value is
 * taken as a new measurement only when it differs from the previous one.
 */
import { MovingMedian } from './movingMedian.js';

export type LinkDelayFilterKind = 'median' | 'min' | 'none';

export interface LinkDelayFilterOptions {
  readonly kind?: LinkDelayFilterKind;
  /** Measurements in the window. Default 5. */
  readonly length?: number;
}

export class LinkDelayFilter {
  readonly kind: LinkDelayFilterKind;
  private readonly window: MovingMedian;
  private lastInput: number | undefined;

  constructor(options: LinkDelayFilterOptions = {}) {
    this.kind = options.kind ?? 'median';
    const length = options.length ?? 5;
    if (!Number.isInteger(length) || length < 1) {
      throw new RangeError(`linkDelayFilter.length must be a positive integer, got ${length}`);
    }
    this.window = new MovingMedian(length);
  }

  /** Takes the meanLinkDelay of a Sync (ns) and returns the filtered delay (ns). */
  push(meanLinkDelayNs: number): number {
    if (this.kind === 'none') return meanLinkDelayNs;
    // One value per Pdelay exchange: consecutive Syncs repeat the same meanLinkDelay.
    if (meanLinkDelayNs !== this.lastInput) {
      this.lastInput = meanLinkDelayNs;
      this.window.push(meanLinkDelayNs);
    }
    return this.value();
  }

  value(): number {
    return this.kind === 'min' ? this.window.min() : this.window.median();
  }

  clear(): void {
    this.window.clear();
    this.lastInput = undefined;
  }
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  return medianIn(values, new Float64Array(values.length));
}

/**
 * Median using `scratch` (at least values.length long) as the work buffer, so that a filter called
 * on every Sync allocates nothing. A selection (Hoare's quickselect) finds it in O(n) without sorting.
 */
export function medianIn(values: readonly number[], scratch: Float64Array): number {
  const n = values.length;
  for (let i = 0; i < n; i++) scratch[i] = values[i] as number;
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
