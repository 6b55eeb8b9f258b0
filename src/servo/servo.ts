/**
 * The contract every servo algorithm fulfils: offset samples in, a frequency (and sometimes a step)
 * out. A servo never touches a clock; the ClockServo orchestrator applies what it returns.
 *
 * Sign conventions (those of ptp4l's "master offset"):
 *  - offsetNs = clock reading − grandmaster time at the same instant; positive: the clock is ahead.
 *  - frequencyPpb is the absolute adjustment to apply to the clock relative to its free-running
 *    oscillator (DisciplinedClock.adjustFrequency); positive: the clock runs faster.
 *  - stepNs is what to add to the clock's reading (−offset, when the servo jumps).
 */
import type { LocalTime } from '../clock/timePoint.js';
import type { ServoName, ServoState } from './servoState.js';
import type { LearnedWander } from './oscillatorWander.js';

export interface ServoOutput {
  readonly state: ServoState;
  /** Frequency adjustment to apply, ppb. Meaningless in s0 (the clock is then left as it is). */
  readonly frequencyPpb: number;
  /** Present in s1 only: step the clock's reading by this many ns. */
  readonly stepNs?: number;
  /**
   * The servo judged this offset an outlier and did not use it (servos that filter their input
   * themselves): it still counts as a Sync received, but not as an offset for the status.
   */
  readonly outlier?: boolean;
  /**
   * Offsets beyond the servo's gate that came in a run and agreed with each other were believed as a
   * real change of phase or frequency (servos that filter their input themselves): how many.
   */
  readonly believedOutliers?: number;
  /**
   * How far the offsets moved the clock's course, ns (servos that filter their input themselves): a
   * run believed (believedOutliers is then set); a level the recent innovations sat at and the
   * estimate had missed — all the offsets moved from before the change to after the filter followed
   * it, reported at the level and for a while after; or a change the filter followed through its gain
   * alone, beyond what its model allows over the last minute. The offsets cannot tell a grandmaster
   * whose time moved from a Sync path whose latency did (802.1AS-2020 8.3): the error bound keeps the
   * largest as a possible asymmetry (timeBaseStatus.ts).
   */
  readonly phaseChangeNs?: number;
  /** A level taken: how far the offsets sat from the phase estimate, ns (phaseChangeNs is then set too). */
  readonly levelNs?: number;
  /**
   * A run of outliers that agreed, held instead of believed because the neighbour's rate ratios say
   * the grandmaster's time did not move (neighborPhaseWitness.ts): set once per run, when first held
   * (outlier and phaseChangeNs are then set too: the bound keeps the change in case it was the
   * grandmaster's after all).
   */
  readonly heldRun?: HeldRun;
}

/** What a held run showed and what the neighbour's ratios said of it. */
export interface HeldRun {
  readonly outliers: number;
  /** How far the ratios say the neighbour's time moved meanwhile, ns, and its σ, ns (a move of the grandmaster's time reads −ServoOutput.phaseChangeNs). */
  readonly neighborMoveNs: number;
  readonly neighborMoveSigmaNs: number;
}

/**
 * What the port engine measured of the link through the Pdelay exchanges. Its noise, before the servo
 * has seen enough offsets to learn its own: a software-timestamped relay jitters by tens of µs where a
 * veth link jitters by hundreds of ns, and one prior per timestamping mode cannot fit both. And the
 * rate ratio of this Sync as a measurement of the frequency the clock needs.
 */
export interface LinkNoise {
  /** 1 σ of the feed-forward, ppb (from SyncReceipt.rateRatioSigma), when known. */
  feedForwardSigmaPpb: number | undefined;
  /** 1 σ of one timestamp on this link, ns (SyncReceipt.propTimeSigmaNs), when known. */
  timestampSigmaNs: number | undefined;
  /** This Sync's rate ratio as a frequency, when it is usable and its σ is known (servos that fuse every rate ratio: kalman). */
  rate: RateMeasurement | undefined;
  /**
   * The Sync came from the grandmaster itself (its sourcePortIdentity's clock is the grandmaster's):
   * the neighbour answering the Pdelay exchanges is then the grandmaster, and neighborRateRatio is
   * measured against its own clock (802.1AS-2020 11.2.19.3.3; rateRatio is neighborRateRatio alone,
   * 10.2.8.1.4), which the servo may take as a witness of its time (neighborPhaseWitness.ts).
   */
  neighborIsGrandmaster?: boolean;
}

/**
 * The frequency the clock needs according to a Sync's rateRatio (802.1AS-2020 10.2.8.1.4: the
 * grandmaster's cumulative ratio from the Follow_Up times this port's neighborRateRatio). Measured
 * through the Pdelay exchanges and the upstream ports, never through the Sync path: a change of the
 * Syncs' latency, which no offset can tell from the clock (8.3), leaves it alone.
 */
export interface RateMeasurement {
  /** The rate ratio it comes from: a new value is a new measurement (a Pdelay exchange completed). */
  readonly rateRatio: number;
  /** The frequency adjustment that makes the clock run at the grandmaster's rate, ppb (feedForward.ts). */
  readonly neededPpb: number;
  /** 1 σ of neededPpb (SyncReceipt.rateRatioSigma), ppb. */
  readonly sigmaPpb: number;
  /**
   * The time the ratio was measured over, s (SyncReceipt.rateRatioSpanS, else the engine's window): a
   * step of the neighbor's time moves every ratio whose span holds it, for one span.
   */
  readonly spanS: number;
}

/** An agreeing outlier run being judged (ServoUncertainty.judgedRun). */
export interface JudgedRun {
  /** Where the run's line puts the offset now, less the servo's phase estimate, ns. */
  readonly levelNs: number;
  /** Offsets in the run so far. */
  readonly offsets: number;
  /**
   * Whether the grandmaster's own rate ratios measured inside the run show its time moving (they
   * witness it, neighborPhaseWitness.ts): false while none has been measured inside it yet; absent
   * where they cannot witness it (the neighbour is not the grandmaster, the tuning).
   */
  readonly ratiosSeeMove?: boolean;
}

/** A servo's own estimate of how good it is (1 σ), for servos that keep one (kalman). */
export interface ServoUncertainty {
  /** Of the phase estimate at the last Sync, ns. */
  readonly phaseNs: number;
  /** Of the frequency estimate, ppb. */
  readonly frequencyPpb: number;
  /** The phase estimate itself at the last Sync (clock − master), ns: what the steering still removes. */
  readonly phaseEstimateNs: number;
  /** The measurement noise the servo has learned, ns. */
  readonly measurementNoiseNs: number;
  /**
   * What the phase estimate may carry beyond phaseNs that the servo does not model yet, 1 σ, ns: the
   * Kalman servo's Syncs' latency before it joins as a state (kalmanServo.ts). The error bound adds
   * it; the status, which judges what the servo has learned of its phase, does not.
   */
  readonly unmodelledPhaseNs?: number;
  /**
   * What the frequency estimate may carry beyond frequencyPpb that the servo does not model yet, 1 σ,
   * ppb: the slope the Kalman servo's Syncs' latency made while it read it as phase (kalmanServo.ts).
   * The error bound's growth with age adds it.
   */
  readonly unmodelledFrequencyPpb?: number;
  /**
   * The part of the last offset the servo reads as the Syncs' latency rather than its clock's phase
   * (the Kalman servo's latency state L̂ once it has joined), ns. The clock is not steered by it, and
   * the status judges the offsets net of it (syncStatus.ts).
   */
  readonly latencyEstimateNs?: number;
  /**
   * A run of offsets beyond the gate that agree on one line, not used yet while the servo judges
   * whether it is a change (the Kalman servo's minOutlierRunS, software timestamps): if the
   * grandmaster's time moved, the clock is already that far off it. Absent otherwise.
   */
  readonly judgedRun?: JudgedRun;
  /** Offsets not used as outliers since creation. */
  readonly outliers: number;
  /** Outliers among the last `recentWindow` offsets. */
  readonly recentOutliers: number;
  readonly recentWindow: number;
}

export interface Servo {
  readonly name: ServoName;
  /**
   * One offset measurement.
   * @param offsetNs clock − master at the Sync's ingress, ns
   * @param localTime the Sync's ingress timestamp (local timestamp clock)
   * @param feedForwardPpb the frequency adjustment the clock needs according to the measured rate
   *   ratio, ppb; undefined when no rate ratio is available. Servos that estimate frequency
   *   themselves may use it only for their start.
   * @param linkNoise what the port engine measured of this link: its noise, and this Sync's rate ratio
   *   as a frequency (servos that weigh their inputs: kalman, which on software timestamps takes every
   *   new ratio as a measurement of its frequency)
   */
  sample(offsetNs: number, localTime: LocalTime, feedForwardPpb?: number, linkNoise?: LinkNoise): ServoOutput;
  /** The Sync interval in seconds (linuxptp's servo_sync_interval): gains scale with it. */
  setSyncInterval(intervalS: number): void;
  /** Back to s0 (a new start); the frequency estimate is kept as the starting point. */
  reset(): void;
  /** Next sample is treated as a first update again: first_step_threshold applies (new grandmaster). */
  allowFirstStep(): void;
  /** Timestamps already received moved by deltaNs (a PHC was stepped): keep stored local times consistent. */
  shiftLocalTime(deltaNs: number): void;
  /** The frequency estimate without the phase correction, ppb: what holdover keeps applying. */
  frequencyEstimatePpb(): number;
  /**
   * From localTime on, the clock runs on frequencyPpb, set outside the servo (holdover; along a ramp,
   * again each second). Servos that predict the clock's course from the frequency they applied
   * (kalman, linreg) take it; without it their first prediction after a loss is off by the difference
   * × the loss's length. The PI's integral goes on from it when Syncs return.
   */
  holdFrequency?(frequencyPpb: number, localTime: LocalTime): void;
  state(): ServoState;
  /** The servo's own uncertainty, when it keeps one; undefined before it has started. */
  uncertainty?(): ServoUncertainty | undefined;
  /** The oscillator's walk learned from the offsets (the Kalman servo, unless the walk is configured); undefined before any. */
  learnedWander?(): LearnedWander | undefined;
}

/** Options every servo shares (linuxptp names in the comments). */
export interface CommonServoOptions {
  /** step_threshold, ns: step when |offset| exceeds it in any state; 0 = never after the first update. */
  readonly stepThresholdNs?: number;
  /** first_step_threshold, ns: step on the first update when |offset| exceeds it; 0 = never. Default 20,000. */
  readonly firstStepThresholdNs?: number;
  /** max_frequency, ppb: clamp of the output. Default 900,000,000 (ptp4l); the clock's limit also applies. */
  readonly maxFrequencyPpb?: number;
  /** Frequency the clock starts with, ppb (ptp4l reads it from the clock). Default 0. */
  readonly initialFrequencyPpb?: number;
  /**
   * Whether local timestamps come from the adjusted clock (a PHC with hardware timestamps). It changes
   * how a frequency error is derived from two offsets. Default true (as ptp4l assumes).
   */
  readonly timestampsFollowAdjustment?: boolean;
}

/** ptp4l's defaults (config.c). */
export const PTP4L_FIRST_STEP_THRESHOLD_NS = 20_000;
export const PTP4L_MAX_FREQUENCY_PPB = 900_000_000;
export const PTP4L_SANITY_FREQ_LIMIT_PPB = 200_000_000;

/**
 * ptp4l's step rule, shared by every servo: beyond first_step_threshold on the first update, or beyond
 * step_threshold at any time (a threshold of 0 disables its rule), the clock is stepped, not slewed.
 */
export function mustStep(offsetNs: number, firstUpdate: boolean, firstStepThresholdNs: number, stepThresholdNs: number): boolean {
  const magnitude = Math.abs(offsetNs);
  return (firstUpdate && firstStepThresholdNs > 0 && magnitude > firstStepThresholdNs) || (stepThresholdNs > 0 && magnitude > stepThresholdNs);
}

export function clampAbs(value: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, value));
}
