/**
 * Kalman-filter servo: estimates the clock's phase offset θ (clock − master, ns) and the frequency φ
 * the clock needs (ppb, the adjustment that makes it run at the master's rate) jointly, with their
 * covariance, from every offset measurement; then steers the clock with φ̂ − θ̂/τ. The idea of
 * statime's Kalman filter (two states, measurement noise estimated from the data, the covariance as
 * an error estimate); the noise handling is Syntonic's own:
 *
 *  - Model. Between two Syncs dt s apart, with the adjustment u applied: θ' = θ + (u − φ)·dt, and φ
 *    takes a random walk of wanderPpbPerSqrtS (Q below). Measurement z = θ + v; with software
 *    timestamps, once the start is over, z = θ + L + v, where L is the Syncs' latency beyond the link
 *    delay as it wanders (an Ornstein–Uhlenbeck state: it returns to its mean over
 *    latencyTimeConstantS, latencySigmaNs about it). No slave can tell that latency from its clock
 *    moving (802.1AS-2020 8.3: meanLinkDelay is the Pdelay paths', not the Sync's). The clock is
 *    steered by θ alone, so a latency that wanders and comes back is not followed; one that stays is,
 *    as L gives it back to θ.
 *  - The walk Q is learned too, over tens of minutes, when learnWander (oscillatorWander.ts): the
 *    Allan variance of the free-running phase at 256 s; once it rests on MIN_WANDER_EVIDENCE
 *    intervals the filter tracks with learnedWanderScale × its upper bound instead of the tuning's.
 *  - Measurement noise R is learned online (measurementNoise.ts): from the median absolute innovation
 *    of the last noiseWindow Syncs (a robust scale, blind to up to half of them being late frames),
 *    minus the prediction's own variance. Until noiseWindow/4 innovations exist, the mode's prior holds.
 *  - Heavy-tailed latency (a Sync timestamped tens of µs late, one-sided): an innovation beyond
 *    gateSigmas × √S is not used (the filter only predicts), at once and without a median's lag. When
 *    maxConsecutiveOutliers come in a row on the same side, spanning minOutlierRunS, most of them on
 *    one line (outlierRunLine.ts), they are a real change (a phase jump, a frequency step): the phase
 *    is re-seated from the offset, and the frequency's variance is widened so that it is learned again.
 *    Until then an agreeing run is reported as judged (its level, and what the rate ratios say of it),
 *    for the error bound and the status, from the first two of its offsets that agree (late frames
 *    rarely do): the grandmaster's time may already have moved by it.
 *  - A level in the innovations (innovationLevel.ts): the median of every innovation over twice the
 *    minimum outlier run beyond levelSigmas × the noise, and the window consistent with itself, is a
 *    change the stiff filter would otherwise take tens of seconds to follow (a shift in the Syncs'
 *    latency that straddles the gate): the phase takes it at once; the frequency keeps what it knows.
 *  - What the offsets moved the clock by (phaseCourse.ts), for the error bound: a believed run, the
 *    whole change a level stands for, or a change followed through the gain alone over the last
 *    64 s beyond what the model allows. None of it steers the clock.
 *  - Start. The first offset seats θ (a step beyond first_step_threshold); the feed-forward (the
 *    engine's rate ratio) is one measurement of φ with the variance its mode allows (software: the
 *    start-up ratio from a few Pdelay exchanges is µs-noisy, so its weight is small) or, when larger,
 *    the variance the engine measured for it (LinkNoise: the Pdelay timestamps' jitter over the
 *    ratio's span), not a value the servo is committed to: the offsets correct it within seconds.
 *    Until R is learned, a link whose Pdelay timestamps jitter beyond the gate of the mode's prior
 *    (a userland relay: tens of µs) sets the prior instead.
 *  - Every rate ratio after the start (fuseEveryRateRatio, software timestamps; rateRatioFusion.ts):
 *    each new one is a measurement of φ with the σ the engine gives it, gated as the offsets are.
 *    The ratio is measured through the Pdelay exchanges (802.1AS-2020 10.2.8.1.4), so the Syncs'
 *    latency wandering or drifting is not read as a rate, and the oscillator's own wander is seen as
 *    it happens.
 *
 * States as linuxptp: s1 when stepping, s2 otherwise once started (the covariance says how good s2 is).
 */
import type { LocalTime } from '../clock/timePoint.js';
import { addNs } from '../clock/timePoint.js';
import {
  clampAbs,
  PTP4L_FIRST_STEP_THRESHOLD_NS,
  PTP4L_MAX_FREQUENCY_PPB,
  type CommonServoOptions,
  type Servo,
  type ServoOutput,
  type ServoUncertainty,
  type JudgedRun,
  type LinkNoise,
  type RateMeasurement,
  mustStep,
} from './servo.js';
import { ServoState } from './servoState.js';
import { MeasurementNoise } from './measurementNoise.js';
import { RecentOutliers } from './recentOutliers.js';
import { RateRatioFusion } from './rateRatioFusion.js';
import { InnovationLevel } from './innovationLevel.js';
import { courseChangeNs, courseChangeSigmaNs, PhaseCourse, type CourseMark } from './phaseCourse.js';
import { OutlierRunLine, type RunLine, type RunPoint } from './outlierRunLine.js';
import { FirstOffsets } from './firstOffsets.js';
import { resolveKalmanTuning, type KalmanTuning } from './kalmanTuning.js';
import { KalmanState, latencySlopeSigmaPpb, type LatencyModel } from './kalmanState.js';
import { NeighborPhaseWitness, type NeighborMove } from './neighborPhaseWitness.js';
import { TIMESCALE_JUMP_FLOOR_NS } from '../protocol/neighborRateRatioWindow.js';
import { OscillatorWander, type LearnedWander, type WanderEstimate, type WanderPrior } from './oscillatorWander.js';

export interface KalmanServoOptions extends CommonServoOptions, KalmanTuning {
  /** Initial Sync interval, s, until setSyncInterval is called. Default 1 s. */
  readonly syncIntervalS?: number;
  /** Start from KALMAN_TUNING_SOFTWARE rather than KALMAN_TUNING_HARDWARE. */
  readonly softwareTimestamps?: boolean;
  /**
   * Learn the oscillator's walk from the offsets (oscillatorWander.ts) and track with it once known,
   * instead of the tuning's. Default false: a walk given in the configuration is a node's own word.
   */
  readonly learnWander?: boolean;
  /** A walk learned in an earlier run, counted until the offsets outweigh it (with learnWander). */
  readonly wanderPrior?: WanderPrior;
}

/** Points of an outlier run kept for the line it must lie on (2 s at 32 Sync/s). */
const MAX_RUN_POINTS = 64;
/**
 * A judged run this far early is the grandmaster's time moved back, not the Syncs' path, ns: in the
 * replay fixture's 274 k Syncs none read more than 3 µs early (judgeShortRun).
 */
const EARLY_RUN_FLOOR_NS = 10_000;
/** The share of an outlier run (a fraction of its points) that must lie within the gate of its line for it to be believed. */
const RUN_AGREEMENT = 3 / 4;
/** The most a believed change widens the frequency variance to, ppb² (1 σ = 10 ppm). */
const REACQUIRE_FREQUENCY_VARIANCE = 1e8;
/**
 * The change a level stands for is measured from this many level windows before it is taken (the
 * filter follows a change's first part through its gain before the level test sees the rest) …
 */
const LEVEL_LOOKBACK_WINDOWS = 2;
/** … to this many level windows after it (the filter follows the rest of it through its gain). */
const LEVEL_FOLLOW_WINDOWS = 2;
/**
 * A change below the level test is followed through the filter's gain alone, over tens of seconds:
 * the course is watched over this span for it (courseChangeBeyondModel), s.
 */
const COURSE_SPAN_S = 64;
/**
 * With the latency state the filter hands a lasting change of the Sync path from L to θ as L returns
 * to its mean: the clock has followed it within this many of L's time constants, the span the course
 * is watched over then. Over 64 s the model's allowance (the frequency's σ and the oscillator's walk
 * over the span) hid a 2 µs change: 20 of 3840 replays with a change added short of 99.9 %, 1 over 20 s.
 */
const LATENCY_HANDOVER_TIME_CONSTANTS = 2;
/**
 * When the latency joins, the frequency's σ is at least the slope a latency this many of its σ off
 * makes over latencyJoinS: σL·2 / latencyJoinS, ns/s = ppb (90 ppb for the software tuning).
 */
const JOIN_SLOPE_SIGMAS = 2;
/** Independent second differences (about τ each) before a learned walk is used: its upper bound is then 1.9× the estimate. */
const MIN_WANDER_EVIDENCE = 4;
/** The most walk a learned estimate makes the filter assume, ppb/√s. */
const MAX_LEARNED_WANDER_PPB_PER_SQRT_S = 128;
/** A change of the course is one once beyond this many σ of what the servo's model allows. */
const COURSE_SIGMAS = 1;
/** The most offsets a start is seated from: 16 Syncs span 0.5 s at the fastest interval gPTP uses (31.25 ms, logSyncInterval −5). */
const MAX_FIRST_OFFSETS = 16;
/** The innovation level's window: at least this many Syncs, and twice the minimum outlier run. */
const MIN_LEVEL_WINDOW = 8;
/** The level's window must agree with itself within this many σ (as the outlier run within the gate). */
const LEVEL_SPREAD_SIGMAS = 4;
/**
 * A run is held when the ratios put the neighbour's move this many of their σ from the move a change of
 * the grandmaster's time would show, and nearer to none (neighborPhaseWitness.ts).
 */
const WITNESS_SIGMAS = 3;
/** The variance of a median of n gaussian values is this × σ² / n (its efficiency against the mean, 2/π). */
const MEDIAN_VARIANCE_FACTOR = Math.PI / 2;

export class KalmanServo implements Servo {
  readonly name = 'kalman' as const;

  private readonly tuning: Required<KalmanTuning>;
  private readonly stepThresholdNs: number;
  private readonly firstStepThresholdNs: number;
  private readonly maxFrequencyPpb: number;
  private intervalS = 1;

  private started = false;
  private firstUpdate = true;
  /** θ̂, φ̂, L̂ and their covariance (kalmanState.ts). */
  private readonly filter: KalmanState;
  private readonly wander: OscillatorWander | undefined;
  /** The latency state's model when the tuning has one (latencyTimeConstantS > 0: the software tuning). */
  private readonly latencyModel: LatencyModel | undefined;
  /** Whether L is a state now, and from when on (elapsedS) it joins. */
  private latencyJoined = false;
  private latencyJoinsAtS = 0;
  /** When L last joined (elapsedS): the latency θ̂ took as phase fades from the error bound from then on. */
  private latencyJoinedAtS = 0;
  /** When L last left (elapsedS): from then until it joins, φ̂ takes L's slope as the clock's. */
  private latencyLeftAtS = 0;
  /** elapsedS at the last Sync: holdover predicts on (holdFrequency), but no offset teaches φ̂ more. */
  private lastSyncAtS = 0;
  private lastLocal: LocalTime | undefined;
  /** The offsets before the start, the phase seated from their median (startSpanS). */
  private readonly firstOffsets = new FirstOffsets();
  /** The adjustment applied since the last Sync, ppb. */
  private appliedPpb: number;
  /** The feed-forward and the rate ratios as measurements of φ (rateRatioFusion.ts). */
  private readonly rateRatios: RateRatioFusion;
  /** R, learned online (measurementNoise.ts). */
  private readonly noise: MeasurementNoise;
  /** 1 σ of the feed-forward of this Sync as the engine measured it, ppb. */
  private feedForwardSigmaPpb: number | undefined;
  /** This Sync's rate ratio as a frequency (LinkNoise.rate). */
  private rate: RateMeasurement | undefined;
  private innovationLevel = new InnovationLevel(MIN_LEVEL_WINDOW);
  /** The clock's course after each Sync used, over COURSE_SPAN_S (and LEVEL_LOOKBACK_WINDOWS at least). */
  private course = new PhaseCourse(courseLength(MIN_LEVEL_WINDOW, 1));
  /** A level's change still being followed: the course before it, and until when (elapsedS). */
  private levelChange: { readonly from: CourseMark; readonly untilS: number } | undefined;
  /** How far the adjustments have moved the clock since the servo started, ns (Σ applied·dt), over how long, s. */
  private appliedPhaseNs = 0;
  private elapsedS = 0;
  private consecutiveOutliers = 0;
  /** The current run of outliers on one side (time s, offset ns), its last MAX_RUN_POINTS. */
  private readonly run: RunPoint[] = [];
  private readonly runLine = new OutlierRunLine(MAX_RUN_POINTS);
  private outlierSide = 0;
  /** When the current run of outliers began, s of the timestamp clock, and the frequency the filter believed then, ppb. */
  private runStartS = 0;
  private runStartPhiPpb = 0;
  /** 1 σ of that frequency as the witness reads ratios against it, ppb (beginRun). */
  private runStartPhiSigmaPpb = 0;
  /**
   * The current run's level against the course, ns, while it is held (the neighbour's ratios said the
   * grandmaster's time did not move, neighborPhaseWitness.ts); undefined otherwise.
   */
  private heldLevelNs: number | undefined;
  /** The current run while it agrees and is still being judged (judgeRun); undefined otherwise. */
  private judgedRun: JudgedRun | undefined;
  /** The last outlier was a late frame taken into the judged run (lateInRun). */
  private lateFrameInRun = false;
  /** The rate ratios as witnesses of the neighbour's time, and the one last handed to it. */
  private readonly witness = new NeighborPhaseWitness();
  private witnessedRateRatio: number | undefined;
  /** This Sync came from the grandmaster itself (LinkNoise.neighborIsGrandmaster). */
  private neighborIsGrandmaster = false;
  /** Where the last believed run began, s of the timestamp clock: the rate ratios whose span holds it are not fused. */
  private believedChangeAtS: number | undefined;
  private outlierCount = 0;
  /** The recent Syncs that were outliers, over noiseWindow. */
  private readonly recentOutliers: RecentOutliers;
  private currentState: ServoState = ServoState.unlocked;

  constructor(options: KalmanServoOptions = {}) {
    this.tuning = resolveKalmanTuning(options, options.softwareTimestamps === true);
    const { latencyTimeConstantS, latencySigmaNs } = this.tuning;
    this.latencyModel = latencyTimeConstantS > 0 ? { timeConstantS: latencyTimeConstantS, sigmaNs: latencySigmaNs } : undefined;
    this.stepThresholdNs = options.stepThresholdNs ?? 0;
    this.firstStepThresholdNs = options.firstStepThresholdNs ?? PTP4L_FIRST_STEP_THRESHOLD_NS;
    this.maxFrequencyPpb = options.maxFrequencyPpb ?? PTP4L_MAX_FREQUENCY_PPB;
    if (!(this.stepThresholdNs >= 0) || !(this.firstStepThresholdNs >= 0)) throw new RangeError('step thresholds must be ≥ 0 ns');
    if (!(this.maxFrequencyPpb > 0)) throw new RangeError('maxFrequencyPpb must be > 0');
    this.filter = new KalmanState(options.initialFrequencyPpb ?? 0);
    this.wander = options.learnWander === true ? new OscillatorWander() : undefined;
    if (options.wanderPrior !== undefined) this.wander?.seed(options.wanderPrior);
    this.appliedPpb = this.filter.phi;
    this.noise = new MeasurementNoise(this.tuning);
    this.rateRatios = new RateRatioFusion(this.filter, this.tuning);
    this.recentOutliers = new RecentOutliers(this.tuning.noiseWindow);
    this.setSyncInterval(options.syncIntervalS ?? 1);
  }

  setSyncInterval(intervalS: number): void {
    if (!(intervalS > 0 && Number.isFinite(intervalS))) throw new RangeError(`Sync interval must be > 0 s, got ${intervalS}`);
    this.intervalS = intervalS;
    const levelWindow = Math.max(MIN_LEVEL_WINDOW, Math.round((2 * this.tuning.minOutlierRunS) / intervalS));
    if (levelWindow !== this.innovationLevel.length) this.innovationLevel = new InnovationLevel(levelWindow);
    const courseMarks = courseLength(levelWindow, intervalS);
    if (courseMarks !== this.course.length) this.course = new PhaseCourse(courseMarks);
  }

  sample(offsetNs: number, localTime: LocalTime, feedForwardPpb?: number, linkNoise?: LinkNoise): ServoOutput {
    if (!Number.isFinite(offsetNs)) throw new RangeError(`offset must be finite ns, got ${offsetNs}`);
    this.feedForwardSigmaPpb = linkNoise?.feedForwardSigmaPpb;
    this.rate = linkNoise?.rate;
    this.neighborIsGrandmaster = linkNoise?.neighborIsGrandmaster === true;
    this.noise.takePrior(linkNoise?.timestampSigmaNs);
    const out = this.started ? this.track(offsetNs, localTime, feedForwardPpb) : this.startFromFirstOffsets(offsetNs, localTime, feedForwardPpb);
    this.currentState = out.state;
    this.lastLocal = localTime;
    this.lastSyncAtS = this.elapsedS;
    this.appliedPpb = out.frequencyPpb;
    // A held run's offsets are a change of the Syncs' path, not the noise model failing (timeBaseStatus.ts).
    this.recentOutliers.note(out.outlier === true && this.heldLevelNs === undefined);
    // A first update ends with the first offset used (an outlier run may still turn out to be the jump).
    if (out.state !== ServoState.unlocked && out.outlier !== true) this.firstUpdate = false;
    return out;
  }

  reset(): void {
    this.started = false;
    this.wander?.restart();
    this.witness.clear();
    this.witnessedRateRatio = undefined;
    this.believedChangeAtS = undefined;
    this.firstOffsets.clear();
    this.rateRatios.forgetFeedForward();
    this.lastLocal = undefined;
    this.endRun();
    this.forgetChanges();
    this.currentState = ServoState.unlocked;
  }

  holdFrequency(frequencyPpb: number, localTime: LocalTime): void {
    // The course up to the hold ran on the frequency the servo applied; from there on, on the held one.
    if (this.started && this.lastLocal !== undefined && localTime > this.lastLocal) {
      this.predict(localTime);
      this.lastLocal = localTime;
    }
    this.appliedPpb = frequencyPpb;
  }

  allowFirstStep(): void {
    this.firstUpdate = true;
    // A new grandmaster, its time base changed, or Syncs back after a loss (the grandmaster may have
    // restarted with another time): the free-running phase does not go on from before.
    this.wander?.restart();
  }

  shiftLocalTime(deltaNs: number): void {
    // Offsets from before a step no longer describe the clock.
    this.firstOffsets.clear();
    this.wander?.restart();
    if (this.lastLocal !== undefined) this.lastLocal = addNs(this.lastLocal, deltaNs);
  }

  frequencyEstimatePpb(): number {
    return this.filter.phi;
  }

  state(): ServoState {
    return this.currentState;
  }

  /** What the offsets say of the oscillator's walk, and the walk the filter tracks with; undefined when not learning or nothing is learned yet. */
  learnedWander(): LearnedWander | undefined {
    const estimate = this.wander?.estimate();
    if (estimate === undefined) return undefined;
    const inUse = estimate.evidence >= MIN_WANDER_EVIDENCE;
    return { ...estimate, trackingPpbPerSqrtS: inUse ? this.trackingWanderOf(estimate) : this.configuredTrackingWander(), inUse };
  }

  /** The tuning's walk once the filter tracks (with software timestamps, once the latency has joined). */
  private configuredTrackingWander(): number {
    return this.latencyModel === undefined ? this.tuning.wanderPpbPerSqrtS : this.tuning.latencyStateWanderPpbPerSqrtS;
  }

  /**
   * The walk to track with, from a learned one: its upper bound (a filter that assumes too little walk
   * follows the oscillator late, and one that assumes more pays little), times the mode's scale.
   */
  private trackingWanderOf(estimate: WanderEstimate): number {
    const { learnedWanderScale, learnedWanderFloorPpbPerSqrtS } = this.tuning;
    return Math.min(MAX_LEARNED_WANDER_PPB_PER_SQRT_S, Math.max(learnedWanderFloorPpbPerSqrtS, learnedWanderScale * estimate.upperPpbPerSqrtS));
  }

  uncertainty(): ServoUncertainty | undefined {
    if (!this.started) return undefined;
    return {
      phaseNs: this.filter.phaseSigmaNs(),
      frequencyPpb: this.filter.frequencySigmaPpb(),
      phaseEstimateNs: this.filter.theta,
      measurementNoiseNs: Math.sqrt(this.noise.variance),
      unmodelledPhaseNs: this.unmodelledLatencyNs(),
      unmodelledFrequencyPpb: this.unmodelledLatencySlopePpb(),
      latencyEstimateNs: this.filter.latency,
      ...(this.judgedRun === undefined ? {} : { judgedRun: this.judgedRun }),
      outliers: this.outlierCount,
      recentOutliers: this.recentOutliers.count,
      recentWindow: this.recentOutliers.window,
    };
  }

  /**
   * Until the latency joins (the first latencyJoinS, and as long after each believed change) the
   * filter reads the Syncs' latency as phase, so its θ carries whatever the latency's wander is then:
   * σL, ns. Without it the error bound missed in the first seconds of runs whose latency stood high
   * (2 of 80 simulated on the Sync noise of sessions 13–20: 95.5 % and 99.0 %). When L joins it starts
   * at 0 while θ̂ still holds the latency of that moment, and p00 does not know it: θ̂ hands it over to
   * L̂ only as L's own dynamics show it, so the term fades over L's time constant instead of vanishing
   * (dropped at once, the bound fell 1.5 µs at the join and left one seed in 175 of the lab's Sync
   * noise drawn afresh short, 98.7 %).
   */
  private unmodelledLatencyNs(): number {
    const model = this.latencyModel;
    if (model === undefined) return 0;
    if (!this.latencyJoined) return model.sigmaNs;
    return model.sigmaNs * Math.exp(-(this.elapsedS - this.latencyJoinedAtS) / model.timeConstantS);
  }

  /**
   * Until the latency joins, what its wander moved φ̂ by beyond what p11 says, ppb: the filter took the
   * offsets' slope as the clock's, and L's own slope over the span since it left is in it
   * (latencySlopeSigmaPpb; τ 10 s, σL 450 ns: 108, 80, 65 ppb 3, 5, 7 s after a start). The
   * frequency's σ alone said 31–83 ppb 3–6 s after a start where the estimate was 76–140 ppb RMS off
   * (the lab's recorded Sync noise, 298 runs; beyond 4 σ in 23–29 of them); with the slope, 1.0 σ RMS
   * and beyond 4 σ in at most 3. Counted whole, though the
   * feed-forward and the rate ratios do not see L: weighed by the share of p11 the offsets removed, the
   * first second read 3.1 σ RMS (the start-up ratios are off by more than their σ too). Once L joins,
   * p11 keeps what it knows of that (joinLatency).
   */
  private unmodelledLatencySlopePpb(): number {
    const model = this.latencyModel;
    if (model === undefined || this.latencyJoined) return 0;
    return latencySlopeSigmaPpb(model, Math.max(this.intervalS, this.lastSyncAtS - this.latencyLeftAtS));
  }

  /**
   * Before the start: the offsets of startSpanS are collected (s0, the frequency unchanged) and the
   * phase is seated from their median (firstOffsets.ts). Without a feed-forward the clock's
   * drift over the span is unknown, so the offset in hand seats it at once.
   */
  private startFromFirstOffsets(offsetNs: number, localTime: LocalTime, feedForwardPpb: number | undefined): ServoOutput {
    this.firstOffsets.push(offsetNs, localTime);
    const wanted = Math.min(MAX_FIRST_OFFSETS, Math.max(1, Math.round(this.tuning.startSpanS / this.intervalS)));
    if (feedForwardPpb !== undefined && this.firstOffsets.size < wanted) return { state: ServoState.unlocked, frequencyPpb: this.appliedPpb };
    const seated = feedForwardPpb === undefined ? offsetNs : this.firstOffsets.seatedOffset(this.appliedPpb - feedForwardPpb);
    this.firstOffsets.clear();
    return this.start(seated, localTime, feedForwardPpb);
  }

  /** First offset: seat the phase (step it away beyond first_step_threshold) and the frequency's prior. */
  private start(offsetNs: number, localTime: LocalTime, feedForwardPpb: number | undefined): ServoOutput {
    this.started = true;
    this.filter.seatPhase(offsetNs, this.noise.variance);
    this.filter.setFrequencyVariance(this.tuning.initialFrequencySigmaPpb ** 2);
    this.leaveLatency();
    this.noise.forgetInnovations();
    this.endRun();
    this.forgetChanges();
    this.rateRatios.fuseFeedForward(feedForwardPpb, this.feedForwardSigmaPpb);
    this.rateRatios.seatedFrom(this.rate);
    this.lastLocal = localTime;
    if (this.mustStep(offsetNs)) return this.step(offsetNs);
    return { state: ServoState.locked, frequencyPpb: this.control() };
  }

  private track(offsetNs: number, localTime: LocalTime, feedForwardPpb: number | undefined): ServoOutput {
    this.predict(localTime);
    // Every offset, late frames too: each phase point is a median.
    this.wander?.phase(this.elapsedS, offsetNs - this.appliedPhaseNs, this.filter.phi);
    this.joinLatency();
    this.rateRatios.fuseFeedForward(feedForwardPpb, this.feedForwardSigmaPpb);
    const tS = Number(localTime) / 1e9;
    this.witnessRateRatio(tS);
    this.rateRatios.fuseRateRatio(this.rate, tS, this.elapsedS, this.believedChangeAtS);
    const measured = this.filter.offsetInnovation(offsetNs);
    // The innovation's variance with the noise known before this offset (noise.learn may refresh it).
    const predictedS = this.filter.offsetVariance() + this.noise.variance;
    // A held run goes on while its offsets lie nearer its level than the clock's course, though the gate
    // widens as the clock coasts: they are the Syncs' path, neither the link's noise nor a level of the clock.
    const held = this.heldLevelNs;
    const continuesHeldRun = held !== undefined && Math.abs(measured - held) < Math.abs(measured);
    if (!continuesHeldRun) {
      this.noise.learn(measured, this.filter.offsetVariance());
      this.innovationLevel.push(measured);
    }
    const beyondGate = continuesHeldRun || Math.abs(measured) > this.tuning.gateSigmas * Math.sqrt(predictedS);
    if (this.lateFrameOfRun(measured, beyondGate)) return this.lateInRun(offsetNs, tS);
    if (beyondGate) return this.outlier(offsetNs, measured, tS);
    // Inside the gate only: offsets all beyond it are the outlier run's to judge (a jump, a frequency step).
    const taken = this.takeLevel();
    const innovation = this.filter.offsetInnovation(offsetNs);
    const s = taken === undefined ? predictedS : this.filter.offsetVariance() + this.noise.variance;
    this.endRun();
    this.filter.updateOffset(innovation, s);
    // A level taken is stepped to as a believed run is (after allowFirstStep too); otherwise step_threshold only.
    const stepNow = taken === undefined ? this.stepThresholdNs > 0 && Math.abs(offsetNs) > this.stepThresholdNs : this.mustStep(offsetNs);
    // A change is judged on the estimate after this Sync, which the steering acts on.
    const change = this.phaseChange(taken);
    if (stepNow) return { ...this.step(offsetNs), ...change };
    return { state: ServoState.locked, frequencyPpb: this.control(), ...change };
  }

  /**
   * When the recent innovations sit at a level the filter has missed, moves the phase by it. The phase
   * is then as uncertain as the level: a median of n innovations, whose variance is π/2 · R / n (not
   * one measurement's R, which after a 1 µs level with 700 ns of noise read as 2σ + |θ̂| > 2 µs and,
   * when the status still judged that sum, left synchronized for a level the clock had been carrying
   * all along; the bound takes 4 σ of it). The frequency keeps its variance: a level is a phase (the
   * grandmaster's, or the Sync path's latency), and a ramp beyond the gate is the outlier run's to
   * believe. Freed by (level / window)² as it once was, the frequency took every level of the
   * software latency's slow wander (hundreds of ns over seconds) as a rate to learn: on the noise of
   * 24 lab runs replayed (conformance/sim/labNoise.ts) the true error's std was 332 ns on average
   * against 309 ns with the frequency kept. Returns the level taken, ns.
   */
  private takeLevel(): number | undefined {
    const sigmaNs = this.noise.quietSigmaNs();
    const level = this.innovationLevel.level({ sigmaNs, levelSigmas: this.tuning.levelSigmas, spreadSigmas: LEVEL_SPREAD_SIGMAS });
    if (level === undefined) return undefined;
    this.filter.movePhase(level, (MEDIAN_VARIANCE_FACTOR * this.noise.variance) / this.innovationLevel.length);
    this.innovationLevel.clear();
    this.endRun();
    return level;
  }

  /**
   * How far the offsets have moved the clock's course, for the error bound: the change a level taken
   * stands for, or one followed through the gain alone — the larger. Marks this Sync's course after.
   */
  private phaseChange(levelNs: number | undefined): { levelNs?: number; phaseChangeNs?: number } {
    const now = this.courseNow();
    const level = this.levelPhaseChange(levelNs, now);
    const followed = this.courseChangeBeyondModel(now);
    this.course.push(now);
    const changeNs = Math.abs(followed) > Math.abs(level ?? 0) ? followed : level;
    return { ...(levelNs === undefined ? {} : { levelNs }), ...(changeNs === undefined || changeNs === 0 ? {} : { phaseChangeNs: changeNs }) };
  }

  /**
   * The phase a level stands for: how far the offsets moved against the clock's course from before
   * the change began (LEVEL_LOOKBACK_WINDOWS) — the estimate's move, less what the clock was adjusted
   * by beyond the frequency believed then. A change of the Sync path comes through the noise: the
   * Syncs inside the gate are fused and steered out before the level test sees the rest, and the rest
   * of it after the level through the filter's gain, so the level is only what the filter still missed
   * at one instant (lab, a 2 µs step: a level of 1230 ns, 1621 ns over the level's window, 2707 ns from
   * before the change to two windows after the level; the clock carried 2.88 µs), while the clock
   * carries all of it. Reported at the level (never less than the level) and at every Sync for
   * LEVEL_FOLLOW_WINDOWS after it; a level within that time continues the same change. The course is
   * carried at whichever frequency, then or now, the servo knew better (betterKnownFrequencyPpb).
   */
  private levelPhaseChange(levelNs: number | undefined, now: CourseMark): number | undefined {
    const following = this.levelChange !== undefined && this.elapsedS <= this.levelChange.untilS ? this.levelChange : undefined;
    if (levelNs === undefined && following === undefined) {
      this.levelChange = undefined;
      return undefined;
    }
    const from = following?.from ?? this.course.back(LEVEL_LOOKBACK_WINDOWS * this.innovationLevel.length - 1);
    if (from === undefined) return levelNs;
    if (levelNs !== undefined) this.levelChange = { from, untilS: this.elapsedS + LEVEL_FOLLOW_WINDOWS * this.innovationLevel.length * this.intervalS };
    const changeNs = courseChangeNs(from, now, this.betterKnownFrequencyPpb(from, now));
    return levelNs === undefined || Math.abs(changeNs) > Math.abs(levelNs) ? changeNs : levelNs;
  }

  /**
   * Of the two marks' frequencies, the one with the smaller σφ; on a tie the later, which has seen
   * more. A level in the first seconds reaches back to the start-up ratio's (σ ~2 ppm): measured at
   * that frequency a 1320 ns level at 9.8 s read "a change of 5922 ns" and the bound's median was
   * 16.6 µs for minutes (lab, session 30; 5.4 µs replayed this way). A mark from before L joined is
   * judged as the join judged it (joinLatency): its σ understated how far the latency's wander had
   * moved the frequency. Lab, sessions 29 and 30: levels at 8.9 and
   * 10.0 s, whose change is measured again at every Sync for 8 s after, past the join, kept the
   * frequency of 1–2 s (σ 7–14 ppb, 50–110 ppb from the one learned by then) and the bound's median
   * at 8.5 and 9.6 µs for minutes (5.7 and 6.2 µs judged so).
   */
  private betterKnownFrequencyPpb(from: CourseMark, now: CourseMark): number {
    const beforeJoin = this.latencyJoined && from.atS < this.latencyJoinedAtS;
    const fromSigmaPpb = beforeJoin ? Math.max(from.sigmaPhiPpb, this.joinFrequencySigmaPpb()) : from.sigmaPhiPpb;
    return fromSigmaPpb < now.sigmaPhiPpb ? from.phiPpb : now.phiPpb;
  }

  /** The frequency's σ at least, once L joins: the slope a wander of JOIN_SLOPE_SIGMAS σL makes over latencyJoinS, ppb. */
  private joinFrequencySigmaPpb(): number {
    return (JOIN_SLOPE_SIGMAS * (this.latencyModel?.sigmaNs ?? 0)) / Math.max(this.tuning.latencyJoinS, this.intervalS);
  }

  /**
   * A change the filter followed through its gain alone (below the level test: lab noise replayed with
   * a 0.4–2 µs Sync-path step or 20 s ramp added, 408 of 2592 replays kept the bound in < 99.9 % of
   * their samples without this): the course's move over the last COURSE_SPAN_S at the frequency
   * believed now, signed, once it is beyond COURSE_SIGMAS of what the servo's model allows (its
   * estimates' uncertainty and the oscillator's random walk); 0 within it. The whole move, not its
   * excess over the allowance: the move is the estimate of what the clock followed, and the excess
   * falls short of it by the allowance (400–500 ns on veth) exactly when the frequency estimate has
   * taken part of the change as a rate (lab noise with a change 35 s after synchronized: φ̂ −70 ppb
   * where the truth was 0, σ 4 ppb; 43 of 3840 replays short with the excess, 2 with the move). The
   * frequency now, not the one at the span's start: on software timestamps the estimate of the first
   * minute is off by more than its σ says (lab noise: −180 ppb against σ 28 ppb at 8 s, the latency's
   * slow wander read as a rate).
   */
  private courseChangeBeyondModel(now: CourseMark): number {
    const from = this.courseSpanStart();
    if (from === undefined) return 0;
    const changeNs = courseChangeNs(from, now, now.phiPpb);
    const allowedNs = COURSE_SIGMAS * courseChangeSigmaNs(from, now, now.sigmaPhiPpb, this.wanderPpbPerSqrtS());
    return Math.abs(changeNs) > allowedNs ? changeNs : 0;
  }

  /** The course mark the change is measured from: COURSE_SPAN_S back, or two of L's time constants while L is a state. */
  private courseSpanStart(): CourseMark | undefined {
    if (!this.latencyJoined) return this.course.oldest();
    return this.course.back(Math.round((LATENCY_HANDOVER_TIME_CONSTANTS * this.tuning.latencyTimeConstantS) / this.intervalS));
  }

  /** The clock's course now (phaseCourse.ts). */
  private courseNow(): CourseMark {
    return {
      courseNs: this.filter.theta - this.appliedPhaseNs,
      phiPpb: this.filter.phi,
      atS: this.elapsedS,
      sigmaThetaNs: this.filter.phaseSigmaNs(),
      sigmaPhiPpb: this.filter.frequencySigmaPpb(),
    };
  }

  /** A step, a believed run or a restart: the innovations and the course before it no longer describe the clock (a step moves it outside the adjustments). */
  private forgetChanges(): void {
    this.innovationLevel.clear();
    this.course.clear();
    this.levelChange = undefined;
  }

  /**
   * Not used. A run of them on one side that agree with each other — three quarters of them within
   * the gate of one robust line, a constant new phase (a jump) or a ramp (a frequency step), the
   * newest offset among them — is a real change and is followed; the rest are the link's late frames,
   * which keep coming during a change as at any other time. A run that scatters (a link whose latency
   * bursts by milliseconds, a userland relay under load) stays rejected: following it would step the
   * clock to noise.
   */
  private outlier(offsetNs: number, innovation: number, tS: number): ServoOutput {
    const side = Math.sign(innovation);
    this.lateFrameInRun = false;
    if (side !== this.outlierSide) this.run.length = 0;
    this.consecutiveOutliers = side === this.outlierSide ? this.consecutiveOutliers + 1 : 1;
    this.outlierSide = side;
    if (this.consecutiveOutliers === 1) this.beginRun(tS);
    this.run.push({ tS, offsetNs });
    if (this.run.length > MAX_RUN_POINTS) this.run.shift();
    const enough = this.consecutiveOutliers >= this.tuning.maxConsecutiveOutliers;
    const longEnough = enough && tS - this.runStartS >= this.tuning.minOutlierRunS;
    const toleranceNs = this.tuning.gateSigmas * Math.sqrt(this.noise.variance);
    const line = enough ? this.runLine.fitRun(this.run, this.noise.variance, toleranceNs) : undefined;
    // Below three points there is no line to agree with: a hardware run of maxConsecutiveOutliers is enough.
    const agreeing = enough && (this.run.length < 3 || (line !== undefined && this.agrees(line, toleranceNs)));
    if (enough) this.judgeRun(agreeing && !longEnough, innovation - (line?.newestResidualNs ?? 0), tS);
    else this.judgeShortRun(innovation, toleranceNs, tS);
    const agreed = longEnough && agreeing;
    if (!agreed) {
      this.outlierCount++;
      return { state: ServoState.locked, frequencyPpb: this.control(), outlier: true };
    }
    const stayed = this.neighborStayed(innovation, tS);
    if (stayed !== undefined) return this.hold(stayed, innovation);
    // The frequency must be free to move by what the run shows: its slope (a jump's is ~0, a frequency
    // step's is the step) and 2 σ of that slope; without a line, what would explain the whole innovation.
    const believedOutliers = this.consecutiveOutliers;
    this.believedChangeAtS = this.runStartS;
    const runS = believedOutliers * this.intervalS;
    // The new phase where the run's line puts it now: one offset carries its own noise, the line the
    // whole run's (lab, a grandmaster restarted 3 ms ahead: the newest offset 1.4 µs off its run's line,
    // within the tolerance, and the status waited 1.75 s instead of 1 s for the clock to come back).
    const phaseNs = line === undefined ? offsetNs : offsetNs - line.newestResidualNs;
    this.reacquire(phaseNs, line === undefined ? (innovation / runS) ** 2 : line.slopePpb ** 2 + 4 * line.slopeVariance);
    this.recentOutliers.unflag(believedOutliers - 1);
    // Stepped when beyond step_threshold, or beyond first_step_threshold after a new grandmaster, a
    // time-base change or a return from a loss (allowFirstStep): only once the run agreed, so that one
    // late frame after a loss is never stepped to.
    const believed = { believedOutliers, phaseChangeNs: innovation };
    if (this.mustStep(phaseNs)) return { ...this.step(phaseNs), ...believed };
    return { state: ServoState.locked, frequencyPpb: this.control(), ...believed };
  }

  /**
   * A late frame among a judged run's offsets (lateFrameOfRun): it joins the run as one of the points
   * off its line, which the run's agreement allows for.
   */
  private lateInRun(offsetNs: number, tS: number): ServoOutput {
    this.lateFrameInRun = true;
    this.consecutiveOutliers++;
    this.run.push({ tS, offsetNs });
    if (this.run.length > MAX_RUN_POINTS) this.run.shift();
    this.outlierCount++;
    return { state: ServoState.locked, frequencyPpb: this.control(), outlier: true };
  }

  /**
   * Whether this offset is a late frame of the judged run rather than the grandmaster's time moving
   * (back) again: once per run, and only of a run that reads early — no late frame reads early
   * (judgeShortRun), so an offset earlier than a late run is no late frame of it. Beyond the gate, on
   * the other side of the phase estimate (lab, a 20 µs move: one Sync 26 µs late 1.5 s into the run
   * started it again, and the edge was believed 4.1 s after it instead of 2.1 s); inside the gate,
   * nearer the old phase than a run more than EARLY_RUN_FLOOR_NS off (lab: 1.4 s into the return's run
   * a Sync 21 µs late fell on the old time, ended the run, and the return was believed 3.7 s after it
   * instead of 2 s; a nearer run's inliers are the filter's). Two in a row are no late frame: the
   * grandmaster's time may have moved back.
   */
  private lateFrameOfRun(innovation: number, beyondGate: boolean): boolean {
    const level = this.judgedRun?.levelNs;
    if (level === undefined || level >= 0 || this.lateFrameInRun) return false;
    return beyondGate ? innovation > 0 : level < -EARLY_RUN_FLOOR_NS && innovation > level / 2;
  }

  /**
   * An agreeing run not yet long enough to believe (minOutlierRunS): the clock may already be as far
   * off the grandmaster as the run's line says, if its time moved — the error bound takes that level
   * and the status judges it (timeBaseStatus.ts), until the run is believed, held or left out. Before
   * this the status said synchronized for the whole 2 s with the clock 20 µs off the grandmaster's
   * moved time (lab, grandmaster-phase-step). Not a run the ratios already contradict: that one the
   * servo will hold as the Syncs' path, which moves no clock (neighborStayed).
   */
  private judgeRun(judged: boolean, levelNs: number, tS: number, offsets = this.consecutiveOutliers): void {
    this.judgedRun = undefined;
    if (!judged) return;
    const heard = this.witnessHears(levelNs, tS);
    const move = heard ? this.witness.movedSince(this.runStartS, this.runStartPhiPpb) : undefined;
    if (move !== undefined && contradictsMove(move, levelNs)) return;
    const seen = move !== undefined && showsMove(move, levelNs, this.runStartPhiSigmaPpb);
    this.judgedRun = { levelNs, offsets, ...(heard ? { ratiosSeeMove: seen } : {}) };
  }

  /**
   * A run too short for its line (below maxConsecutiveOutliers) is judged once its newest offset
   * agrees with an earlier one of it within the gate, at their mean: late frames do not come in
   * agreeing pairs (the recorded lab runs of sessions 30–35 without a move of the grandmaster's time
   * beyond 2 µs, 200 runs and 145 k Syncs: 611 single Syncs late by more than 10 µs, one pair of them,
   * 18 µs apart), while the grandmaster's moved time does from its second Sync on (or its third, a
   * late frame between). Judged at the fourth instead, the status said synchronized for half a second
   * per edge of the lab's 20 µs move with the clock that far off the moved time. Only where a run
   * waits (minOutlierRunS): without a wait it is believed at maxConsecutiveOutliers, judged by nothing.
   *
   * An offset below the phase estimate with no partner is judged alone, at its own level (one offset):
   * a Sync cannot reach the slave sooner than its path allows, so no late frame reads early (the 298
   * recorded lab runs of fixtures/noise, 274 k Syncs from 20 s on: 597 more than 5 µs late against
   * the median of the 64 around them, none more than 3 µs early), while a grandmaster whose time moved
   * back does from its first Sync on (the lab's 20 µs move, its return edge).
   */
  private judgeShortRun(innovation: number, toleranceNs: number, tS: number): void {
    const newest = this.run.at(-1);
    if (this.tuning.minOutlierRunS <= 0 || newest === undefined) return this.judgeRun(false, innovation, tS);
    const partner = latestAgreeing(this.run, newest, toleranceNs);
    if (partner !== undefined) return this.judgeRun(true, innovation - (newest.offsetNs - partner.offsetNs) / 2, tS);
    this.judgeRun(innovation < 0, innovation, tS, 1);
  }

  private beginRun(tS: number): void {
    this.runStartS = tS;
    this.runStartPhiPpb = this.filter.phi;
    // Before L joins, the frequency may be off by more than its σ says (joinLatency): lab, 6.4 s after
    // a start, a ratio read a 2.4 µs move against a frequency 180 ppb off, for a Sync-path change.
    const sigmaPhiPpb = this.filter.frequencySigmaPpb();
    this.runStartPhiSigmaPpb = this.latencyJoined ? sigmaPhiPpb : Math.max(sigmaPhiPpb, this.joinFrequencySigmaPpb());
    this.heldLevelNs = undefined;
    this.judgedRun = undefined;
  }

  private endRun(): void {
    this.consecutiveOutliers = 0;
    this.run.length = 0;
    this.heldLevelNs = undefined;
    this.judgedRun = undefined;
    this.lateFrameInRun = false;
  }

  /**
   * The neighbour's move when its rate ratios contradict an agreeing run (neighborPhaseWitness.ts): a
   * change of the grandmaster's time would read −innovation there, and they read nearer to none, beyond
   * WITNESS_SIGMAS of their σ from it. Undefined when the run is to be believed: no witness (the
   * tuning, a neighbour that is not the grandmaster, no ratio measured inside the run yet), a move
   * beyond the engine's timescale-jump floor (its ratios start again: none spans it), a run held
   * heldRunMaxS already, or ratios that agree with the move.
   */
  private neighborStayed(innovation: number, tS: number): NeighborMove | undefined {
    if (!this.witnessHears(innovation, tS)) return undefined;
    const move = this.witness.movedSince(this.runStartS, this.runStartPhiPpb);
    return move !== undefined && contradictsMove(move, innovation) ? move : undefined;
  }

  /** Whether the rate ratios can witness the current run: the tuning, the grandmaster as neighbour, a move below the engine's jump floor, not held heldRunMaxS yet. */
  private witnessHears(innovation: number, tS: number): boolean {
    if (!this.tuning.neighborWitness || !this.neighborIsGrandmaster || Math.abs(innovation) >= TIMESCALE_JUMP_FLOOR_NS) return false;
    return tS - this.runStartS <= this.tuning.heldRunMaxS;
  }

  /**
   * Not followed while it lasts: the clock keeps its course. The run's offsets leave the recent
   * outlier count, as a believed run's do, and the first hold reports the change, which the error
   * bound keeps in case the grandmaster did move with a Pdelay clock apart from its time.
   */
  private hold(move: NeighborMove, innovation: number): ServoOutput {
    this.outlierCount++;
    const output = { state: ServoState.locked, frequencyPpb: this.control(), outlier: true } as const;
    if (this.heldLevelNs !== undefined) return output;
    this.heldLevelNs = innovation;
    this.recentOutliers.unflag(this.consecutiveOutliers - 1);
    this.innovationLevel.clear();
    const heldRun = { outliers: this.consecutiveOutliers, neighborMoveNs: move.moveNs, neighborMoveSigmaNs: move.sigmaNs };
    return { ...output, phaseChangeNs: innovation, heldRun };
  }

  /** Each new rate ratio, as the frequency it asks for, to the witness (fused or not). */
  private witnessRateRatio(tS: number): void {
    const rate = this.rate;
    if (!this.tuning.neighborWitness || rate === undefined || rate.rateRatio === this.witnessedRateRatio) return;
    this.witnessedRateRatio = rate.rateRatio;
    this.witness.observe(tS, rate.neededPpb, rate.sigmaPpb, rate.spanS);
  }

  /**
   * Most of the run on its line, and the offset about to be believed on it too (it seats the phase):
   * late frames inside a run are the link's noise, not a reason to reject the change (outlierRunLine.ts).
   */
  private agrees(line: RunLine, toleranceNs: number): boolean {
    return line.inliers >= Math.ceil(RUN_AGREEMENT * this.run.length) && Math.abs(line.newestResidualNs) <= toleranceNs;
  }

  /** After a believed change: the phase the run shows (outlier), the frequency to be learned again, the noise kept. */
  private reacquire(phaseNs: number, frequencyVariance: number): void {
    this.filter.seatPhase(phaseNs, this.noise.variance);
    this.filter.widenFrequency(Math.min(frequencyVariance, REACQUIRE_FREQUENCY_VARIANCE));
    // The phase is seated from one offset again: the latency joins once it is learned again.
    this.leaveLatency();
    this.endRun();
    this.forgetChanges();
    // The noise window keeps the run: a real change is a few innovations among 64 (the median absolute
    // value does not see them), while a link far noisier than assumed is all of them, and must be learned.
  }

  private step(offsetNs: number): ServoOutput {
    this.wander?.restart();
    this.filter.clockStepped(-offsetNs);
    this.forgetChanges();
    return { state: ServoState.jump, frequencyPpb: this.clamp(this.filter.phi), stepNs: -offsetNs };
  }

  /** Time update over the interval since the last Sync, with the adjustment that was applied. */
  private predict(localTime: LocalTime): void {
    const last = this.lastLocal;
    const dt = last === undefined ? 0 : Number(localTime - last) / 1e9;
    if (!(dt > 0)) return;
    this.filter.predict(dt, this.appliedPpb, this.wanderPpbPerSqrtS(), this.latencyJoined ? this.latencyModel : undefined);
    this.appliedPhaseNs += this.appliedPpb * dt;
    this.elapsedS += dt;
  }

  /**
   * The oscillator's random walk the model assumes now, ppb/√s: the start's while software timestamps'
   * latency has not joined, else the learned walk once known, else the tuning's tracking walk.
   */
  private wanderPpbPerSqrtS(): number {
    if (this.latencyModel !== undefined && !this.latencyJoined) return this.tuning.wanderPpbPerSqrtS;
    const learned = this.wander?.estimate();
    if (learned !== undefined && learned.evidence >= MIN_WANDER_EVIDENCE) return this.trackingWanderOf(learned);
    return this.configuredTrackingWander();
  }

  /**
   * The latency joins as a state once the noise is learned and latencyJoinS has passed since the start
   * or the last believed change: from the first Sync it made the servo learn its phase later (lab:
   * synchronized after 6.2–7.1 s and once 25.4 s, against 4.1–4.9 s). What the filter learned of the
   * frequency until then took the latency's wander as white noise, so it may be off by the slope a
   * wander of 2 σL makes over that span, whatever its variance says (lab noise: −180 ppb against σ
   * 28 ppb at 8 s); kept that confident, the new state took the frequency's error as a latency µs away
   * from its mean for a minute. The phase's covariance with that frequency goes with it.
   */
  private joinLatency(): void {
    const model = this.latencyModel;
    if (this.latencyJoined || model === undefined || !this.noise.learned || this.elapsedS < this.latencyJoinsAtS) return;
    this.latencyJoined = true;
    this.latencyJoinedAtS = this.elapsedS;
    this.filter.joinLatency(model.sigmaNs, this.joinFrequencySigmaPpb() ** 2);
  }

  /** L leaves the state (a start, a believed change): it joins again latencyJoinS later. */
  private leaveLatency(): void {
    this.latencyJoined = false;
    this.latencyLeftAtS = this.elapsedS;
    this.latencyJoinsAtS = this.elapsedS + this.tuning.latencyJoinS;
    this.filter.leaveLatency();
  }

  /** The frequency to apply: the estimate, and the phase removed over τ. */
  private control(): number {
    const tauS = this.tuning.phaseTimeConstantIntervals * this.intervalS;
    return this.clamp(this.filter.phi - this.filter.theta / tauS);
  }

  private mustStep(offsetNs: number): boolean {
    return mustStep(offsetNs, this.firstUpdate, this.firstStepThresholdNs, this.stepThresholdNs);
  }

  private clamp(ppb: number): number {
    return clampAbs(ppb, this.maxFrequencyPpb);
  }
}

/**
 * The neighbour's move as its ratios show it contradicts a run of `innovation`: a change of the
 * grandmaster's time would read −innovation there, and they read nearer to none, beyond
 * WITNESS_SIGMAS of their σ from it.
 */
function contradictsMove(move: NeighborMove, innovation: number): boolean {
  const fromGrandmasterMove = Math.abs(move.moveNs + innovation);
  return fromGrandmasterMove > WITNESS_SIGMAS * move.sigmaNs && Math.abs(move.moveNs) < fromGrandmasterMove;
}

/**
 * The neighbour's move as its ratios show it (802.1AS-2020 11.2.19.3.3: a move inside a ratio's span is
 * in it by move / span) is a move of the grandmaster's time by −innovation: beyond
 * WITNESS_SIGMAS of their σ from none, with the σ of the frequency they are read against (referenceSigmaPpb,
 * the run's start: in the first seconds tens of ppb, hundreds of ns over a span), and nearer to that
 * move than to none.
 */
function showsMove(move: NeighborMove, innovation: number, referenceSigmaPpb: number): boolean {
  const sigmaNs = Math.hypot(move.sigmaNs, referenceSigmaPpb * move.spanS);
  return Math.abs(move.moveNs) > WITNESS_SIGMAS * sigmaNs && Math.abs(move.moveNs + innovation) < Math.abs(move.moveNs);
}

/** Marks the course keeps: COURSE_SPAN_S of Syncs, and the level's lookback. */
function courseLength(levelWindow: number, intervalS: number): number {
  return Math.max(LEVEL_LOOKBACK_WINDOWS * levelWindow, Math.round(COURSE_SPAN_S / intervalS));
}

/** The latest point of a run before its newest that lies within toleranceNs of it (KalmanServo.judgeShortRun). */
function latestAgreeing(run: readonly RunPoint[], newest: RunPoint, toleranceNs: number): RunPoint | undefined {
  for (let i = run.length - 2; i >= 0; i--) {
    const p = run[i];
    if (p !== undefined && Math.abs(newest.offsetNs - p.offsetNs) <= toleranceNs) return p;
  }
  return undefined;
}
