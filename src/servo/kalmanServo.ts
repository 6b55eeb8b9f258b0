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
 *    as L gives it back to θ. When L joins, and what the filter misses before: latencyJoin.ts.
 *  - The walk Q is learned too, over tens of minutes, when learnWander (oscillatorWander.ts): the
 *    Allan variance of the free-running phase at 256 s; once it rests on enough Allan intervals the
 *    filter tracks with learnedWanderScale × its upper bound instead of the tuning's (frequencyWalk.ts).
 *  - Measurement noise R is learned online (measurementNoise.ts): from the median absolute innovation
 *    of the last noiseWindow Syncs (a robust scale, blind to up to half of them being late frames),
 *    minus the prediction's own variance. Until noiseWindow/4 innovations exist, the mode's prior holds.
 *  - Heavy-tailed latency (a Sync timestamped tens of µs late, one-sided): an innovation beyond
 *    gateSigmas × √S is not used (the filter only predicts), at once and without a median's lag. When
 *    maxConsecutiveOutliers come in a row on the same side, spanning minOutlierRunS, most of them on
 *    one line (outlierRun.ts, outlierRunLine.ts), they are a real change (a phase jump, a frequency step): the phase
 *    is re-seated from the offset, and the frequency's variance is widened so that it is learned again.
 *    Until then an agreeing run is reported as judged (its level, and what the rate ratios say of it),
 *    for the error bound and the status, from the first two of its offsets that agree (late frames
 *    rarely do): the grandmaster's time may already have moved by it.
 *  - A level in the innovations (innovationLevel.ts): the median of every innovation over twice the
 *    minimum outlier run beyond levelSigmas × the noise, and the window consistent with itself, is a
 *    change the stiff filter would otherwise take tens of seconds to follow (a shift in the Syncs'
 *    latency that straddles the gate): the phase takes it at once; the frequency keeps what it knows.
 *  - What the offsets moved the clock by (courseChange.ts), for the error bound: a believed run, the
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
  type LinkNoise,
  type RateMeasurement,
  mustStep,
} from './servo.js';
import { ServoState } from './servoState.js';
import { MeasurementNoise } from './measurementNoise.js';
import { RecentOutliers } from './recentOutliers.js';
import { RateRatioFusion } from './rateRatioFusion.js';
import { InnovationLevel } from './innovationLevel.js';
import type { CourseMark } from './phaseCourse.js';
import { CourseChange } from './courseChange.js';
import { OutlierRun, type RunVerdict } from './outlierRun.js';
import { FirstOffsets } from './firstOffsets.js';
import { resolveKalmanTuning, type KalmanTuning } from './kalmanTuning.js';
import { KalmanState } from './kalmanState.js';
import { LatencyJoin } from './latencyJoin.js';
import type { LearnedWander, WanderPrior } from './oscillatorWander.js';
import { FrequencyWalk } from './frequencyWalk.js';

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

/** The most a believed change widens the frequency variance to, ppb² (1 σ = 10 ppm). */
const REACQUIRE_FREQUENCY_VARIANCE = 1e8;
/** The most offsets a start is seated from: 16 Syncs span 0.5 s at the fastest interval gPTP uses (31.25 ms, logSyncInterval −5). */
const MAX_FIRST_OFFSETS = 16;
/** The innovation level's window: at least this many Syncs, and twice the minimum outlier run. */
const MIN_LEVEL_WINDOW = 8;
/** The level's window must agree with itself within this many σ (as the outlier run within the gate). */
const LEVEL_SPREAD_SIGMAS = 4;
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
  /** The oscillator's walk the model assumes, the tuning's or a learned one (frequencyWalk.ts). */
  private readonly walk: FrequencyWalk;
  /** When the Syncs' latency is a state (the software tuning: latencyTimeConstantS > 0), latencyJoin.ts. */
  private readonly latency: LatencyJoin;
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
  /** How far the offsets have moved the clock's course, for the error bound (courseChange.ts). */
  private readonly courseChange: CourseChange;
  /** How far the adjustments have moved the clock since the servo started, ns (Σ applied·dt), over how long, s. */
  private appliedPhaseNs = 0;
  private elapsedS = 0;
  /** The current run of offsets beyond the gate: judged, held or believed (outlierRun.ts). */
  private readonly outlierRun: OutlierRun;
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
    const { latencyTimeConstantS, latencySigmaNs, latencyJoinS } = this.tuning;
    const latencyModel = latencyTimeConstantS > 0 ? { timeConstantS: latencyTimeConstantS, sigmaNs: latencySigmaNs } : undefined;
    this.latency = new LatencyJoin(latencyModel, latencyJoinS);
    this.walk = new FrequencyWalk(this.tuning, this.latency, options.learnWander === true, options.wanderPrior);
    this.courseChange = new CourseChange(this.latency, () => this.walk.ppbPerSqrtS(), MIN_LEVEL_WINDOW, 1);
    this.stepThresholdNs = options.stepThresholdNs ?? 0;
    this.firstStepThresholdNs = options.firstStepThresholdNs ?? PTP4L_FIRST_STEP_THRESHOLD_NS;
    this.maxFrequencyPpb = options.maxFrequencyPpb ?? PTP4L_MAX_FREQUENCY_PPB;
    if (!(this.stepThresholdNs >= 0) || !(this.firstStepThresholdNs >= 0)) throw new RangeError('step thresholds must be ≥ 0 ns');
    if (!(this.maxFrequencyPpb > 0)) throw new RangeError('maxFrequencyPpb must be > 0');
    this.filter = new KalmanState(options.initialFrequencyPpb ?? 0);
    this.appliedPpb = this.filter.phi;
    this.noise = new MeasurementNoise(this.tuning);
    this.rateRatios = new RateRatioFusion(this.filter, this.tuning);
    this.recentOutliers = new RecentOutliers(this.tuning.noiseWindow);
    this.outlierRun = new OutlierRun(this.tuning, () => ({ phiPpb: this.filter.phi, phiSigmaPpb: this.runStartFrequencySigmaPpb() }));
    this.setSyncInterval(options.syncIntervalS ?? 1);
  }

  setSyncInterval(intervalS: number): void {
    if (!(intervalS > 0 && Number.isFinite(intervalS))) throw new RangeError(`Sync interval must be > 0 s, got ${intervalS}`);
    this.intervalS = intervalS;
    const levelWindow = Math.max(MIN_LEVEL_WINDOW, Math.round((2 * this.tuning.minOutlierRunS) / intervalS));
    if (levelWindow !== this.innovationLevel.length) this.innovationLevel = new InnovationLevel(levelWindow);
    this.courseChange.setWindow(levelWindow, intervalS);
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
    this.recentOutliers.note(out.outlier === true && this.outlierRun.heldLevelNs === undefined);
    // A first update ends with the first offset used (an outlier run may still turn out to be the jump).
    if (out.state !== ServoState.unlocked && out.outlier !== true) this.firstUpdate = false;
    return out;
  }

  reset(): void {
    this.started = false;
    this.walk.restart();
    this.believedChangeAtS = undefined;
    this.firstOffsets.clear();
    this.rateRatios.forgetFeedForward();
    this.lastLocal = undefined;
    this.outlierRun.reset();
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
    this.walk.restart();
  }

  shiftLocalTime(deltaNs: number): void {
    // Offsets from before a step no longer describe the clock.
    this.firstOffsets.clear();
    this.walk.restart();
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
    return this.walk.learned();
  }

  uncertainty(): ServoUncertainty | undefined {
    if (!this.started) return undefined;
    return {
      phaseNs: this.filter.phaseSigmaNs(),
      frequencyPpb: this.filter.frequencySigmaPpb(),
      phaseEstimateNs: this.filter.theta,
      measurementNoiseNs: Math.sqrt(this.noise.variance),
      unmodelledPhaseNs: this.latency.unmodelledPhaseNs(this.elapsedS),
      unmodelledFrequencyPpb: this.latency.unmodelledSlopePpb(this.lastSyncAtS, this.intervalS),
      latencyEstimateNs: this.filter.latency,
      ...(this.outlierRun.judgedRun === undefined ? {} : { judgedRun: this.outlierRun.judgedRun }),
      outliers: this.outlierCount,
      recentOutliers: this.recentOutliers.count,
      recentWindow: this.recentOutliers.window,
    };
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
    this.outlierRun.end();
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
    this.walk.phase(this.elapsedS, offsetNs - this.appliedPhaseNs, this.filter.phi);
    this.joinLatency();
    this.rateRatios.fuseFeedForward(feedForwardPpb, this.feedForwardSigmaPpb);
    const tS = Number(localTime) / 1e9;
    this.outlierRun.observeRateRatio(tS, this.rate);
    this.rateRatios.fuseRateRatio(this.rate, tS, this.elapsedS, this.believedChangeAtS);
    const measured = this.filter.offsetInnovation(offsetNs);
    // The innovation's variance with the noise known before this offset (noise.learn may refresh it).
    const predictedS = this.filter.offsetVariance() + this.noise.variance;
    // A held run goes on while its offsets lie nearer its level than the clock's course, though the gate
    // widens as the clock coasts: they are the Syncs' path, neither the link's noise nor a level of the clock.
    const held = this.outlierRun.heldLevelNs;
    const continuesHeldRun = held !== undefined && Math.abs(measured - held) < Math.abs(measured);
    if (!continuesHeldRun) {
      this.noise.learn(measured, this.filter.offsetVariance());
      this.innovationLevel.push(measured);
    }
    const beyondGate = continuesHeldRun || Math.abs(measured) > this.tuning.gateSigmas * Math.sqrt(predictedS);
    if (this.outlierRun.isLateFrame(measured, beyondGate)) return this.lateInRun(offsetNs, tS);
    if (beyondGate) return this.outlier(offsetNs, measured, tS);
    // Inside the gate only: offsets all beyond it are the outlier run's to judge (a jump, a frequency step).
    const taken = this.takeLevel();
    const innovation = this.filter.offsetInnovation(offsetNs);
    const s = taken === undefined ? predictedS : this.filter.offsetVariance() + this.noise.variance;
    this.outlierRun.end();
    this.filter.updateOffset(innovation, s);
    // A level taken is stepped to as a believed run is (after allowFirstStep too); otherwise step_threshold only.
    const stepNow = taken === undefined ? this.stepThresholdNs > 0 && Math.abs(offsetNs) > this.stepThresholdNs : this.mustStep(offsetNs);
    // A change is judged on the estimate after this Sync, which the steering acts on.
    const change = this.courseChange.report(this.courseNow(), taken);
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
    this.outlierRun.end();
    return level;
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
    this.courseChange.forget();
  }

  /** Not used. A run of them on one side may be a real change (outlierRun.ts): held, or followed once believed. */
  private outlier(offsetNs: number, innovation: number, tS: number): ServoOutput {
    const verdict = this.outlierRun.add(offsetNs, innovation, tS, {
      noiseVarianceNs2: this.noise.variance,
      intervalS: this.intervalS,
      neighborIsGrandmaster: this.neighborIsGrandmaster,
    });
    if (verdict.kind === 'believed') return this.believe(verdict, innovation);
    this.outlierCount++;
    const output = { state: ServoState.locked, frequencyPpb: this.control(), outlier: true } as const;
    if (verdict.kind === 'rejected' || !verdict.first) return output;
    // Held: the clock keeps its course. The run's offsets leave the recent outlier count, as a believed
    // run's do, and the first hold reports the change, which the error bound keeps in case the
    // grandmaster did move with a Pdelay clock apart from its time.
    this.recentOutliers.unflag(verdict.outliers - 1);
    this.innovationLevel.clear();
    const heldRun = { outliers: verdict.outliers, neighborMoveNs: verdict.move.moveNs, neighborMoveSigmaNs: verdict.move.sigmaNs };
    return { ...output, phaseChangeNs: innovation, heldRun };
  }

  /** A run believed: the phase where it puts it, the frequency free to move by what it shows. */
  private believe(run: Extract<RunVerdict, { kind: 'believed' }>, innovation: number): ServoOutput {
    this.believedChangeAtS = run.startS;
    this.reacquire(run.phaseNs, run.frequencyVariancePpb2);
    this.recentOutliers.unflag(run.outliers - 1);
    // Stepped when beyond step_threshold, or beyond first_step_threshold after a new grandmaster, a
    // time-base change or a return from a loss (allowFirstStep): only once the run agreed, so that one
    // late frame after a loss is never stepped to.
    const believed = { believedOutliers: run.outliers, phaseChangeNs: innovation };
    if (this.mustStep(run.phaseNs)) return { ...this.step(run.phaseNs), ...believed };
    return { state: ServoState.locked, frequencyPpb: this.control(), ...believed };
  }

  /** A late frame among a judged run's offsets (OutlierRun.isLateFrame): not used, counted, the run goes on. */
  private lateInRun(offsetNs: number, tS: number): ServoOutput {
    this.outlierRun.takeLateFrame(offsetNs, tS);
    this.outlierCount++;
    return { state: ServoState.locked, frequencyPpb: this.control(), outlier: true };
  }

  /**
   * The frequency's σ a run's witness reads ratios against. Before L joins, the frequency may be off by
   * more than its σ says (latencyJoin.ts): lab, 6.4 s after a start, a ratio read a 2.4 µs move
   * against a frequency 180 ppb off, for a Sync-path change.
   */
  private runStartFrequencySigmaPpb(): number {
    const sigmaPhiPpb = this.filter.frequencySigmaPpb();
    return this.latency.joined ? sigmaPhiPpb : Math.max(sigmaPhiPpb, this.latency.joinFrequencySigmaPpb(this.intervalS));
  }

  /** After a believed change: the phase the run shows (believe), the frequency to be learned again, the noise kept. */
  private reacquire(phaseNs: number, frequencyVariance: number): void {
    this.filter.seatPhase(phaseNs, this.noise.variance);
    this.filter.widenFrequency(Math.min(frequencyVariance, REACQUIRE_FREQUENCY_VARIANCE));
    // The phase is seated from one offset again: the latency joins once it is learned again.
    this.leaveLatency();
    this.outlierRun.end();
    this.forgetChanges();
    // The noise window keeps the run: a real change is a few innovations among 64 (the median absolute
    // value does not see them), while a link far noisier than assumed is all of them, and must be learned.
  }

  private step(offsetNs: number): ServoOutput {
    this.walk.restart();
    this.filter.clockStepped(-offsetNs);
    this.forgetChanges();
    return { state: ServoState.jump, frequencyPpb: this.clamp(this.filter.phi), stepNs: -offsetNs };
  }

  /** Time update over the interval since the last Sync, with the adjustment that was applied. */
  private predict(localTime: LocalTime): void {
    const last = this.lastLocal;
    const dt = last === undefined ? 0 : Number(localTime - last) / 1e9;
    if (!(dt > 0)) return;
    this.filter.predict(dt, this.appliedPpb, this.walk.ppbPerSqrtS(), this.latency.predictedModel());
    this.appliedPhaseNs += this.appliedPpb * dt;
    this.elapsedS += dt;
  }

  /**
   * L joins once due (latencyJoin.ts). What the filter learned of the frequency until then took the
   * latency's wander as white noise; kept that confident, the new state took the frequency's error as
   * a latency µs away from its mean for a minute. The phase's covariance with that frequency goes with it.
   */
  private joinLatency(): void {
    const model = this.latency.model;
    if (model === undefined || !this.latency.due(this.elapsedS, this.noise.learned)) return;
    this.latency.join(this.elapsedS);
    this.filter.joinLatency(model.sigmaNs, this.latency.joinFrequencySigmaPpb(this.intervalS) ** 2);
  }

  /** L leaves the state (a start, a believed change): it joins again latencyJoinS later. */
  private leaveLatency(): void {
    this.latency.leave(this.elapsedS);
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
