/**
 * Holdover: when Syncs stop, the clock keeps running at the last good frequency estimate and the
 * error it accumulates is estimated from how stable that estimate has recently been.
 *
 * While locked, every frequency estimate (ppb, without the loop's phase correction) is recorded with its
 * time. A least-squares line through the last windowS seconds gives:
 *  - the holdover frequency: the line's value at the last sample (smoother than the last estimate,
 *    and, unlike a plain mean, not late by half a window when the frequency drifts);
 *  - σ_f, ppb: the standard deviation of the estimates around the line (how far the held frequency may
 *    be from the true one);
 *  - D, ppb/s: the line's slope (how fast the needed frequency was moving).
 * The error after t seconds of holdover is then estimated as
 *   |error|(t) ≈ e0 + σ_f · t + ½ · |D| · t²   [ns; ppb × s = ns, ppb/s × s² = ns]
 * with e0 the offset RMS at the moment sync was lost. This is an estimate of the typical error, not a
 * bound: a temperature step or a grandmaster change during holdover can exceed it.
 */
import type { LocalTime } from '../clock/timePoint.js';

export interface HoldoverOptions {
  /** Seconds of frequency history fitted. Default 60 s. */
  readonly windowS?: number;
}

export interface HoldoverModel {
  /** Frequency to hold, ppb. */
  readonly frequencyPpb: number;
  /** Scatter of the recent estimates around their trend, ppb. */
  readonly stabilityPpb: number;
  /** Trend of the needed frequency, ppb/s. */
  readonly driftPpbPerS: number;
  /** Estimates the model is made of. */
  readonly samples: number;
}

/** Stale points dropped at once. */
const STALE_BATCH = 64;

interface FrequencyPoint {
  readonly local: LocalTime;
  readonly ppb: number;
}

export class HoldoverEstimator {
  private readonly windowNs: bigint;
  private readonly points: FrequencyPoint[] = [];

  constructor(options: HoldoverOptions = {}) {
    const windowS = options.windowS ?? 60;
    if (!(windowS > 0)) throw new RangeError(`holdover.windowS must be > 0 s, got ${windowS}`);
    this.windowNs = BigInt(Math.round(windowS * 1e9));
  }

  /** Records a frequency estimate made while locked. */
  record(local: LocalTime, frequencyPpb: number): void {
    const last = this.points[this.points.length - 1];
    if (last !== undefined && local <= last.local) return;
    this.points.push({ local, ppb: frequencyPpb });
    // Called on every Sync: old points are dropped in batches, not one shift (an O(n) move) each time.
    const horizon = local - this.windowNs;
    let stale = this.stale;
    while (this.points.length - stale > 2 && (this.points[stale] as FrequencyPoint).local < horizon) stale++;
    if (stale >= STALE_BATCH) {
      this.points.splice(0, stale);
      stale = 0;
    }
    this.stale = stale;
  }

  /** Points older than the window still at the front of `points` (dropped in batches). */
  private stale = 0;

  /** The model from the recorded estimates, undefined when there are none. */
  model(): HoldoverModel | undefined {
    if (this.stale > 0) {
      this.points.splice(0, this.stale);
      this.stale = 0;
    }
    const n = this.points.length;
    const last = this.points[n - 1];
    if (last === undefined) return undefined;
    if (n < 3) return { frequencyPpb: last.ppb, stabilityPpb: 0, driftPpbPerS: 0, samples: n };
    // Fit ppb = a + b·x with x in s relative to the last point.
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (const p of this.points) {
      const x = Number(p.local - last.local) / 1e9;
      sx += x;
      sy += p.ppb;
      sxx += x * x;
      sxy += x * p.ppb;
    }
    const denominator = n * sxx - sx * sx;
    const slope = denominator > 0 ? (n * sxy - sx * sy) / denominator : 0;
    const intercept = (sy - slope * sx) / n;
    let residual2 = 0;
    for (const p of this.points) {
      const x = Number(p.local - last.local) / 1e9;
      residual2 += (p.ppb - (intercept + slope * x)) ** 2;
    }
    return { frequencyPpb: intercept, stabilityPpb: Math.sqrt(residual2 / (n - 2)), driftPpbPerS: slope, samples: n };
  }

  /** Shift stored local times (a PHC was stepped). */
  shiftLocalTime(deltaNs: number): void {
    const d = BigInt(Math.round(deltaNs));
    for (let i = 0; i < this.points.length; i++) {
      const p = this.points[i] as FrequencyPoint;
      this.points[i] = { local: (p.local + d) as LocalTime, ppb: p.ppb };
    }
  }

  clear(): void {
    this.points.length = 0;
    this.stale = 0;
  }
}

/** Estimated |error| after holdoverS seconds, ns (see the file comment). */
export function holdoverErrorNs(model: HoldoverModel, initialErrorNs: number, holdoverS: number): number {
  const t = Math.max(0, holdoverS);
  return Math.abs(initialErrorNs) + model.stabilityPpb * t + 0.5 * Math.abs(model.driftPpbPerS) * t * t;
}
