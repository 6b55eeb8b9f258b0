/**
 * A simulated free-running oscillator: its reading as a function of simulated true time.
 *
 * Frequency model (fractional frequency y, in ppb, relative to true time):
 *   y(t) = frequencyOffsetPpm · 1000 + driftPpbPerS · t + w(t)
 * with t the true time since the start (the drift, a temperature ramp or aging, steps with the
 * walk's intervals) and w a random walk: w changes by a gaussian step at every wanderIntervalNs of
 * true time, with standard deviation wanderPpbPerSqrtS · √(wanderIntervalNs / 1 s). So the standard
 * deviation of the walk's frequency change over τ seconds is wanderPpbPerSqrtS · √τ ppb ("1 ppb/√s"
 * means: 1 ppb after 1 s, 10 ppb after 100 s). The frequency is constant within each interval and
 * the phase is its exact integral, so a reading depends only on the seed and the true time, not on
 * how often it is read.
 *
 * Readings must be asked for at non-decreasing true times (the simulator moves forward only); a
 * reading inside the interval already reached is allowed.
 */
import { Prng } from './prng.js';
import { fractionBelowOne } from './virtualClock.js';

export interface OscillatorOptions {
  /** Static frequency offset in ppm (positive: the oscillator runs fast). */
  readonly frequencyOffsetPpm: number;
  /** Random-walk frequency noise in ppb/√s (see the file comment). 0 disables wander. */
  readonly wanderPpbPerSqrtS?: number;
  /** Deterministic frequency ramp in ppb/s (temperature, aging; see the file comment). Default 0. */
  readonly driftPpbPerS?: number;
  /** Interval at which the random walk steps, ns of true time. Default 10 ms. */
  readonly wanderIntervalNs?: number;
  /** Seed of the wander's random stream. */
  readonly seed?: number;
  /** True time at which the oscillator starts, ns. Default 0. */
  readonly startTrueNs?: bigint;
  /** Oscillator reading at startTrueNs, ns. Default equal to startTrueNs. */
  readonly startReadingNs?: bigint;
}

/** An oscillator reading: whole ns plus a fraction 0 ≤ f < 1 ns. */
export interface OscillatorReading {
  readonly ns: bigint;
  readonly fractionNs: number;
}

export class Oscillator {
  private readonly wanderStepPpb: number;
  private readonly driftStepPpb: number;
  private readonly intervalNs: bigint;
  private readonly random: Prng;
  private readonly staticPpb: number;
  /** Start of the current constant-frequency interval (true ns) and the reading there. */
  private intervalStart: bigint;
  private readingAtStart: bigint;
  private fractionAtStart = 0;
  /** What the walk and the ramp have added to the static offset so far, ppb. */
  private movedPpb = 0;

  constructor(options: OscillatorOptions) {
    const intervalNs = options.wanderIntervalNs ?? 10_000_000;
    if (!(Number.isInteger(intervalNs) && intervalNs > 0)) {
      throw new RangeError(`wanderIntervalNs must be a positive integer, got ${intervalNs}`);
    }
    const wander = options.wanderPpbPerSqrtS ?? 0;
    if (!(wander >= 0 && Number.isFinite(wander))) throw new RangeError(`wanderPpbPerSqrtS must be ≥ 0, got ${wander}`);
    if (!(Math.abs(options.frequencyOffsetPpm) < 1e6)) {
      throw new RangeError(`frequencyOffsetPpm must be within ±1e6, got ${options.frequencyOffsetPpm}`);
    }
    this.intervalNs = BigInt(intervalNs);
    this.wanderStepPpb = wander * Math.sqrt(intervalNs / 1e9);
    const drift = options.driftPpbPerS ?? 0;
    if (!Number.isFinite(drift)) throw new RangeError(`driftPpbPerS must be finite, got ${drift}`);
    this.driftStepPpb = (drift * intervalNs) / 1e9;
    this.random = new Prng(options.seed ?? 1);
    this.staticPpb = options.frequencyOffsetPpm * 1000;
    this.intervalStart = options.startTrueNs ?? 0n;
    this.readingAtStart = options.startReadingNs ?? this.intervalStart;
  }

  /** Fractional frequency offset in ppb during the interval that contains `trueNs` (≥ last read). */
  frequencyPpbAt(trueNs: bigint): number {
    this.advanceTo(trueNs);
    return this.staticPpb + this.movedPpb;
  }

  /** The oscillator's exact reading at true time `trueNs`. */
  readingAt(trueNs: bigint): OscillatorReading {
    this.advanceTo(trueNs);
    const elapsed = trueNs - this.intervalStart;
    const extra = (Number(elapsed) * (this.staticPpb + this.movedPpb)) / 1e9 + this.fractionAtStart;
    const whole = Math.floor(extra);
    return { ns: this.readingAtStart + elapsed + BigInt(whole), fractionNs: fractionBelowOne(extra - whole) };
  }

  private advanceTo(trueNs: bigint): void {
    if (trueNs < this.intervalStart) {
      throw new RangeError(`oscillator read at true time ${trueNs} ns, before its current interval (${this.intervalStart} ns)`);
    }
    while (trueNs >= this.intervalStart + this.intervalNs) {
      const extra = (Number(this.intervalNs) * (this.staticPpb + this.movedPpb)) / 1e9 + this.fractionAtStart;
      const whole = Math.floor(extra);
      this.readingAtStart += this.intervalNs + BigInt(whole);
      this.fractionAtStart = fractionBelowOne(extra - whole);
      this.intervalStart += this.intervalNs;
      if (this.wanderStepPpb > 0) this.movedPpb += this.wanderStepPpb * this.random.gaussian();
      this.movedPpb += this.driftStepPpb;
    }
  }
}
