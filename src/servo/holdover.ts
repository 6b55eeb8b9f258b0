/**
 * Holdover: when Syncs stop, the clock keeps running on the course the recent frequency estimates
 * show, and the error it accumulates is estimated from how stable those estimates have been.
 *
 * While locked, every frequency estimate (ppb, without the loop's phase correction) is recorded with its
 * time. A least-squares line through the last windowS seconds gives:
 *  - the holdover course: where the estimates span the whole window and the line moved across it by
 *    more than TREND_SCATTERS times the scatter around it (a ramp), the line itself, followed from its
 *    value at the last estimate for one more window and then held where it reached (no further than
 *    the span it was fitted over: a ramp that stops costs no more than one that goes on beyond it),
 *    raised by the servo's mean phase correction over the window: a loop lags a ramp by a steady
 *    phase, so the clock ran on its estimate plus that correction.
 *    A constant frequency held on a ramp D leaves ½·D·t² whichever it is (1 ppb/s, PHC-like clock,
 *    30 s, 12 seeds: 495 ns RMS on the line's end value); following the line, 207 ns (software
 *    timestamps, Kalman, error added: 114 ns from the output, 525 ns from the estimates). Else the last
 *    estimate, constant. Over a shorter history the line is the servo settling and its end value an
 *    extrapolation of it: held after 20 s, software timestamps, 8 seeds, the clock was 1729 ns RMS off
 *    after 30 s on the line's value and 709 ns on the last estimate; a PHC-like clock (1 ppb/√s walk,
 *    12 seeds) 117 against 89 ns. A walk's own line moves by only 0.2–7.0 scatters across the window
 *    (the same clock, 12 seeds), a 1 ppb/s ramp's by 10.6–26, and on the walk the last estimate is
 *    the better guess: 94 against 163 ns after 240 s;
 *  - σ_f, ppb: the standard deviation of the estimates around the line (how far the held frequency may
 *    be from the true one);
 *  - D, ppb/s: the line's slope (how fast the needed frequency was moving), once the estimates span
 *    the whole window. Over a shorter history the slope is the servo's own settling, not the
 *    oscillator's: Syncs lost 5 s after the start (simulated software timestamps, 8 seeds) gave slopes
 *    of 59–499 ppb/s on an oscillator that did not move, and an estimate of 37–230 µs after 30 s
 *    against 0.05–9.4 µs true, above the error bound (22–44 µs) on every seed. So D is 0 until then.
 * The error after t seconds of holdover is then estimated as
 *   |error|(t) ≈ e0 + σ_f · t + ½ · d · t²   [ns; ppb × s = ns, ppb/s × s² = ns]
 * with e0 the offset RMS at the moment sync was lost and d = |D| while a constant is held; along a
 * ramp d is the slope's own uncertainty (SLOPE_SCATTERS · σ_f / window), and past the ramp's end the
 * ramp again for the time since (holdoverDriftTermPpbPerS). This is an estimate of the typical error,
 * not a bound: a temperature step or a grandmaster change during holdover can exceed it.
 */
import { localTime, type LocalTime } from '../clock/timePoint.js';

export interface HoldoverOptions {
  /** Seconds of frequency history fitted. Default 60 s. */
  readonly windowS?: number;
}

export interface HoldoverModel {
  /**
   * Frequency to hold at `at`, ppb: the line's value at the last estimate, and the servo's mean phase
   * correction, over a whole window that shows a ramp; else the last estimate.
   */
  readonly frequencyPpb: number;
  /**
   * The servo's mean phase correction over the window that frequencyPpb includes, ppb: where a ramp is
   * followed, what the loop steered with on top of its lagging estimates; 0 otherwise.
   */
  readonly phaseCorrectionPpb: number;
  /** Local time of the last estimate, where frequencyPpb applies. */
  readonly at: LocalTime;
  /**
   * The ramp the held frequency follows from `at`, ppb/s: the line's slope where it is held, else 0.
   * Followed for rampS seconds and no further (heldFrequencyPpb).
   */
  readonly rampPpbPerS: number;
  /** Seconds after `at` the ramp is followed: the window, no longer than the line was fitted over. */
  readonly rampS: number;
  /** Scatter of the recent estimates around their trend, ppb. */
  readonly stabilityPpb: number;
  /** Trend of the needed frequency, ppb/s: 0 until the estimates span the whole window. */
  readonly driftPpbPerS: number;
  /** Estimates the model is made of. */
  readonly samples: number;
}

/**
 * How far, in scatters around it, the line must move across the window to be held as a trend
 * (the file comment: a walk 0.2–7.0, a 1 ppb/s ramp 10.6–26).
 */
const TREND_SCATTERS = 10;

/**
 * How far a line of `slopePpbPerS` moves across `windowS`, in scatters of `stabilityPpb` around it
 * (Infinity without scatter): beyond TREND_SCATTERS a ramp, which holdover follows.
 */
export function trendScatters(slopePpbPerS: number, windowS: number, stabilityPpb: number): number {
  const movedPpb = Math.abs(slopePpbPerS) * windowS;
  return stabilityPpb > 0 ? movedPpb / stabilityPpb : movedPpb > 0 ? Infinity : 0;
}

/** Whether a model's line, once read over a whole window, moved too little to be followed: how far, for the log. */
export function rampMissed(model: HoldoverModel): { readonly movedPpb: number; readonly scatters: number; readonly neededScatters: number } | undefined {
  if (model.rampPpbPerS !== 0 || model.driftPpbPerS === 0) return undefined;
  return {
    movedPpb: model.driftPpbPerS * model.rampS,
    scatters: trendScatters(model.driftPpbPerS, model.rampS, model.stabilityPpb),
    neededScatters: TREND_SCATTERS,
  };
}

/**
 * The uncertainty of a followed ramp's slope, in scatters across the window: how far a walk's own
 * line moves across it, RMS (2.75 over 12 seeds of the PHC-like clock's 1 ppb/√s walk; a 1 ppb/s
 * ramp's slope was off by 0.14 ppb/s RMS on the same seeds, 2.86 scatters).
 */
const SLOPE_SCATTERS = 3;

/** Stale points dropped at once. */
const STALE_BATCH = 64;

export class HoldoverEstimator {
  private readonly windowNs: number;
  /**
   * The points, oldest first: local time as ns after `origin` (a number: exact for 104 days, and
   * re-based whenever stale points are dropped) and the estimate in ppb. Plain number arrays, so that
   * recording on every Sync allocates nothing.
   */
  private origin = 0n;
  private readonly times: number[] = [];
  private readonly ppbs: number[] = [];
  /** The servo's phase correction on top of each estimate (its output less the estimate), ppb. */
  private readonly corrections: number[] = [];
  /** Points older than the window still at the front (dropped in batches, not one shift per Sync). */
  private stale = 0;
  /** Local time of the first estimate since the last clear: how far back the history reaches. */
  private since: bigint | undefined;

  constructor(options: HoldoverOptions = {}) {
    const windowS = options.windowS ?? 60;
    if (!(windowS > 0)) throw new RangeError(`holdover.windowS must be > 0 s, got ${windowS}`);
    this.windowNs = Math.round(windowS * 1e9);
  }

  /**
   * Records a frequency estimate made while locked, and the phase correction the servo steered with
   * on top of it (its output less the estimate), ppb.
   */
  record(local: LocalTime, frequencyPpb: number, phaseCorrectionPpb = 0): void {
    const n = this.times.length;
    if (n === 0) this.origin = local;
    this.since ??= local;
    const t = Number(local - this.origin);
    if (n > 0 && t <= (this.times[n - 1] as number)) return;
    this.times.push(t);
    this.ppbs.push(frequencyPpb);
    this.corrections.push(phaseCorrectionPpb);
    const horizon = t - this.windowNs;
    let stale = this.stale;
    while (this.times.length - stale > 2 && (this.times[stale] as number) < horizon) stale++;
    this.stale = stale;
    if (stale >= STALE_BATCH) this.dropStale();
  }

  /** The model from the recorded estimates, undefined when there are none. */
  model(): HoldoverModel | undefined {
    this.dropStale();
    const n = this.times.length;
    if (n === 0) return undefined;
    const lastT = this.times[n - 1] as number;
    const lastPpb = this.ppbs[n - 1] as number;
    const at = localTime(this.origin + BigInt(lastT));
    const rampS = this.windowNs / 1e9;
    if (n < 3) return { frequencyPpb: lastPpb, phaseCorrectionPpb: 0, at, rampPpbPerS: 0, rampS, stabilityPpb: 0, driftPpbPerS: 0, samples: n };
    // Fit ppb = a + b·x with x in s relative to the last point.
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    let sc = 0;
    for (let i = 0; i < n; i++) {
      const x = ((this.times[i] as number) - lastT) / 1e9;
      const y = this.ppbs[i] as number;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      sc += this.corrections[i] as number;
    }
    const denominator = n * sxx - sx * sx;
    const slope = denominator > 0 ? (n * sxy - sx * sy) / denominator : 0;
    const intercept = (sy - slope * sx) / n;
    let residual2 = 0;
    for (let i = 0; i < n; i++) {
      const x = ((this.times[i] as number) - lastT) / 1e9;
      residual2 += ((this.ppbs[i] as number) - (intercept + slope * x)) ** 2;
    }
    const trendRead = this.since !== undefined && at - this.since >= BigInt(this.windowNs);
    const stabilityPpb = Math.sqrt(residual2 / (n - 2));
    const ramp = trendRead && trendScatters(slope, rampS, stabilityPpb) > TREND_SCATTERS;
    // On a ramp a loop lags by a steady phase, and its estimate by the correction that phase asks for:
    // the clock ran on the estimate plus it (its output), so the course must too. Simulated (software
    // timestamps, Kalman, warming 1 ppb/s, 8 seeds) the line through the estimates alone left the
    // clock 13–22 ppb off, 0.40–0.65 µs after 30 s. Without a ramp it is the loop's noise: left out.
    const correction = ramp ? sc / n : 0;
    const held = ramp ? { frequencyPpb: intercept + correction, rampPpbPerS: slope } : { frequencyPpb: lastPpb, rampPpbPerS: 0 };
    return { ...held, phaseCorrectionPpb: correction, at, rampS, stabilityPpb, driftPpbPerS: trendRead ? slope : 0, samples: n };
  }

  /** Shift stored local times (a PHC was stepped). */
  shiftLocalTime(deltaNs: number): void {
    const shift = BigInt(Math.round(deltaNs));
    this.origin += shift;
    if (this.since !== undefined) this.since += shift;
  }

  clear(): void {
    this.times.length = 0;
    this.ppbs.length = 0;
    this.corrections.length = 0;
    this.stale = 0;
    this.since = undefined;
  }

  /** Drops the stale points and re-bases the times on the oldest one kept. */
  private dropStale(): void {
    if (this.stale > 0) {
      this.times.splice(0, this.stale);
      this.ppbs.splice(0, this.stale);
      this.corrections.splice(0, this.stale);
      this.stale = 0;
    }
    const first = this.times[0];
    if (first === undefined || first === 0) return;
    for (let i = 0; i < this.times.length; i++) this.times[i] = (this.times[i] as number) - first;
    this.origin += BigInt(first);
  }
}

/**
 * The frequency to run at from local time `from` to `to`, ppb: the mean of the held course over that
 * span (the ramp, then the value it reached), so that stepping it at `from` and `to` leaves the phase
 * the course would.
 */
export function heldFrequencyPpb(model: HoldoverModel, from: LocalTime, to: LocalTime): number {
  const a = Number(from - model.at) / 1e9;
  const b = Number(to - model.at) / 1e9;
  if (!(b > a)) return courseFrequencyPpb(model, from);
  return model.frequencyPpb + (model.rampPpbPerS * (rampPhase(b, model.rampS) - rampPhase(a, model.rampS))) / (b - a);
}

/** The held course's frequency at local time `at`, ppb: along the ramp, then the value it reached. */
export function courseFrequencyPpb(model: HoldoverModel, at: LocalTime): number {
  return model.frequencyPpb + model.rampPpbPerS * Math.min(Math.max(Number(at - model.at) / 1e9, 0), model.rampS);
}

/** ∫ min(max(τ, 0), rampS) dτ from 0 to s: the ramp's part of the held course's phase per ppb/s, s². */
function rampPhase(s: number, rampS: number): number {
  if (s <= 0) return 0;
  if (s <= rampS) return 0.5 * s * s;
  return 0.5 * rampS * rampS + rampS * (s - rampS);
}

/** Estimated |error| after holdoverS seconds, ns (see the file comment). */
export function holdoverErrorNs(model: HoldoverModel, initialErrorNs: number, holdoverS: number): number {
  const t = Math.max(0, holdoverS);
  return Math.abs(initialErrorNs) + model.stabilityPpb * t + 0.5 * holdoverDriftTermPpbPerS(model, t) * t * t;
}

/**
 * The estimate's quadratic coefficient after t s of holdover, ppb/s (the error's growth is half of it,
 * ns/s²): |D| while a constant frequency is held; along a ramp the ramp's own uncertainty, and past
 * the ramp's end the ramp again, which the frequency then no longer follows. Given for the age t so
 * that one quadratic (the provider protocol's) gives the estimate at that age.
 */
export function holdoverDriftTermPpbPerS(model: HoldoverModel, t: number): number {
  if (model.rampPpbPerS === 0) return Math.abs(model.driftPpbPerS);
  const slopeUncertainty = (SLOPE_SCATTERS * model.stabilityPpb) / model.rampS;
  if (t <= model.rampS) return slopeUncertainty;
  return slopeUncertainty + Math.abs(model.rampPpbPerS) * ((t - model.rampS) / t) ** 2;
}
