/**
 * errorBoundNs: how far the disciplined clock may be from the grandmaster's time, as a bound that
 * holds (|true error| ≤ bound in ≥ 99.9 % of instants while synchronized), not a typical error.
 *
 *   bound(age) = asymmetryNs + k·σθ + |θ̂| + age · (k·σφ) + ½ · wanderPpbPerS · age²        ns, age in s
 *
 * - asymmetryNs: what no offset measurement can see, the difference between the Sync's path and the
 *   mean of the Pdelay paths. Each one-way latency is ≥ 0, so the asymmetry is at most the latencies
 *   themselves, which the measured meanLinkDelay shows. With software timestamps it moves with the
 *   host's load (0.7–1.5 µs within one lab run, while the Syncs took 2.05 µs throughout), so the
 *   largest filtered value of the last 4096 Syncs (syncWindowMaximum.ts: minutes, not the moment) plus
 *   the learned measurement noise (1 σ of the Sync's own latency) is used; a configured value
 *   replaces it when the link is known better (errorBound.asymmetryNs: error_bound_asymmetry). To
 *   it is added the largest phase change the servo reported in those Syncs without a step —
 *   believed (a run, a level), or followed through its gain beyond what its model allows
 *   (kalmanServo.ts): a new level of the offsets is a grandmaster whose time moved or a Sync path
 *   whose latency moved, and only the second leaves the clock off by as much (802.1AS-2020 8.3;
 *   timeBaseStatus.ts).
 * - σθ, σφ: the servo's own 1 σ uncertainty of its phase and frequency estimates (the Kalman servo's
 *   covariance, with the measurement noise it learned; each with what it does not model yet in
 *   quadrature, ServoUncertainty.unmodelledPhaseNs and unmodelledFrequencyPpb), k = 4 (3.3 is
 *   99.9 % for gaussian errors; the rest covers the tail the outlier gate lets through). |θ̂|: the
 *   phase the steering has not yet removed; while an agreeing run of outliers is judged, the level
 *   it puts the clock at as well (the grandmaster's time may have moved by it:
 *   ServoUncertainty.judgedRun).
 *   Servos without an uncertainty (pi, linreg) use k × the RMS of recent offsets for k·σθ + |θ̂| and
 *   the mode's frequency error for k·σφ.
 * - wanderPpbPerS: how fast the local oscillator's frequency may change while no Sync corrects it
 *   (temperature: an uncompensated quartz, ~1 ppm/K, in a room warming 1 K/min: 17 ppb/s → 20;
 *   error_bound_wander says it for an oscillator known better).
 */
import type { ServoUncertainty } from './servo.js';

export interface ErrorBoundOptions {
  /** Bound of the path asymmetry no offset shows, ns. Default: the filtered meanLinkDelay. */
  readonly asymmetryNs?: number;
  /** σ multiplier. Default 4. */
  readonly sigmas?: number;
  /** Frequency change of the local oscillator without Sync, ppb/s. Default DEFAULT_ERROR_BOUND_WANDER_PPB_PER_S. */
  readonly wanderPpbPerS?: number;
}

/** The bound at an instant, and how it grows with the age of the last Sync from there. */
export interface ErrorBound {
  /** Bound at the instant it was computed for, ns. */
  readonly atNs: number;
  /** Bound at the last Sync used (age 0), ns. */
  readonly atLastSyncNs: number;
  /** Linear growth, ppb (ns per s of age). */
  readonly growthPpb: number;
  /** Quadratic growth: ½ × wander, ppb/s (ns per s² of age). */
  readonly halfWanderPpbPerS: number;
  /** s since the last Sync used, at the instant of atNs. */
  readonly ageS: number;
}

export interface ErrorBoundInput {
  readonly software: boolean;
  /** Largest filtered meanLinkDelay of the last minutes of Syncs, ns. */
  readonly pathDelayNs: number;
  /** Largest |phase change| the servo reported (believed or followed) in the last minutes of Syncs (no step since), ns. */
  readonly phaseChangeNs?: number;
  /** RMS of recent offsets, ns (servos without an uncertainty). */
  readonly offsetRmsNs: number;
  readonly uncertainty: ServoUncertainty | undefined;
  /** s since the last Sync the servo used. */
  readonly ageS: number;
}

/** The share of instants while synchronized in which |true error| ≤ the bound must hold (issue 14's target). */
export const ERROR_BOUND_COVERAGE_TARGET = 0.999;

/** How fast the oscillator's frequency may change without Sync when nobody says, ppb/s (the file comment: 17 → 20). */
export const DEFAULT_ERROR_BOUND_WANDER_PPB_PER_S = 20;

/** Residual frequency error assumed for servos without an uncertainty, ppb. */
const FALLBACK_FREQUENCY_ERROR_PPB = { software: 1_000, hardware: 100 } as const;

export function servoErrorBound(input: ErrorBoundInput, options: ErrorBoundOptions = {}): ErrorBound {
  const k = options.sigmas ?? 4;
  const u = input.uncertainty;
  const staticAsymmetry = options.asymmetryNs ?? Math.abs(input.pathDelayNs) + (u?.measurementNoiseNs ?? input.offsetRmsNs);
  const asymmetry = staticAsymmetry + Math.abs(input.phaseChangeNs ?? 0);
  const phase =
    u === undefined
      ? k * input.offsetRmsNs
      : k * Math.hypot(u.phaseNs, u.unmodelledPhaseNs ?? 0) + Math.abs(u.phaseEstimateNs) + Math.abs(u.judgedRun?.levelNs ?? 0);
  const growthPpb =
    u === undefined ? FALLBACK_FREQUENCY_ERROR_PPB[input.software ? 'software' : 'hardware'] : k * Math.hypot(u.frequencyPpb, u.unmodelledFrequencyPpb ?? 0);
  const halfWanderPpbPerS = 0.5 * (options.wanderPpbPerS ?? DEFAULT_ERROR_BOUND_WANDER_PPB_PER_S);
  const atLastSyncNs = asymmetry + phase;
  const age = Math.max(0, input.ageS);
  return { atNs: atLastSyncNs + age * (growthPpb + halfWanderPpbPerS * age), atLastSyncNs, growthPpb, halfWanderPpbPerS, ageS: age };
}
