/**
 * ClockServo: turns the port engine's accepted Syncs into clock adjustments, and nothing else. One
 * call per accepted Sync (onSync, with its SyncReceipt); the engine owns the timers and the asCapable
 * gate, TimeBaseStatus (timeBaseStatus.ts) owns status, holdover estimate, quality and error bound,
 * fed by the output of each onSync. ClockServo keeps no timer and judges no status.
 *
 *   receipt → link-delay filter → offset from master → sanity check → spike filter
 *           → feed-forward from rateRatio → servo (pi | linreg | kalman) → clock frequency / step
 *
 * offset = clock.fromTimestamp(ingressTime) − gmTime (positive: our clock is ahead, ptp4l's "master
 * offset"). Time only comes from the receipts and from tick's argument (sans-IO); the only clock read
 * is clock.now() after a decision to step, to remove what the clock drifted between the Sync's ingress
 * and the step (processing latency).
 */
import type { DisciplinedClock } from '../clock/clock.js';
import { addNs, type LocalTime } from '../clock/timePoint.js';
import { formatSigned } from '../protocol/format.js';
import type { TimestampingMode } from '../protocol/portConfig.js';
import type { SyncReceipt } from '../protocol/syncReceipt.js';
import { ClockCheck } from './clockCheck.js';
import { createServo } from './createServo.js';
import { FeedForward, type FeedForwardOptions } from './feedForward.js';
import { LinkDelayFilter, type LinkDelayFilterOptions } from './linkDelayFilter.js';
import { OffsetSpikeFilter, type OffsetSpikeFilterOptions } from './offsetSpikeFilter.js';
import { trackingWander, type KalmanTuning } from './kalmanTuning.js';
import type { LearnedWander, WanderPrior } from './oscillatorWander.js';
import type { PiGainOptions, PiTuning } from './piServo.js';
import {
  PTP4L_FIRST_STEP_THRESHOLD_NS,
  PTP4L_MAX_FREQUENCY_PPB,
  PTP4L_SANITY_FREQ_LIMIT_PPB,
  type HeldRun,
  type LinkNoise,
  type Servo,
  type ServoOutput,
  type ServoUncertainty,
} from './servo.js';
import { ServoState, type ServoName } from './servoState.js';

export interface ClockServoOptions {
  /** clock_servo: 'pi', 'linreg' or 'kalman'. Default: 'kalman' for software timestamps, 'pi' otherwise. */
  readonly servo?: ServoName;
  /** Selects the default PI tuning: SYNTONIC_PI_TUNING or SYNTONIC_PI_TUNING_SOFTWARE. Default 'hardware'. */
  readonly timestamping?: TimestampingMode;
  /** The whole PI tuning, replacing the default per `timestamping` (programmatic use, e.g. a reference servo). */
  readonly pi?: PiTuning;
  /**
   * PI settings laid over the tuning in force (`pi`, or the default per `timestamping`): what a
   * configuration file's pi_* options give. Fixed gains (kpConst and kiConst) also drop the
   * acquisition gains: who fixes the gains wants those gains.
   */
  readonly piOverrides?: PiGainOptions;
  /** The Kalman servo's noise model; default per `timestamping` (kalmanServo.ts). */
  readonly kalman?: KalmanTuning;
  /**
   * kalman_frequency_wander: the Kalman servo's frequency random walk once it tracks, ppb/√s, laid over
   * `kalman` (kalmanTuning.ts). Unset, the servo learns the walk from the offsets (oscillatorWander.ts).
   */
  readonly kalmanFrequencyWanderPpbPerSqrtS?: number;
  /** A walk the Kalman servo learned in an earlier run (kalman_wander_file), when it learns one. */
  readonly kalmanWanderPrior?: WanderPrior;
  /** step_threshold, ns; 0 (default) = never step after the first update: slew instead. */
  readonly stepThresholdNs?: number;
  /** first_step_threshold, ns. Default 20,000 (ptp4l). */
  readonly firstStepThresholdNs?: number;
  /** max_frequency, ppb. Default 900,000,000, and never beyond the clock's own limit. */
  readonly maxFrequencyPpb?: number;
  /**
   * sanity_freq_limit, ppb: an offset implying a larger frequency error against the one before, and
   * confirmed by the next, means the clock was changed behind our back (or the master jumped): the
   * servo is reset (clockCheck.ts). 0 disables. Default 200,000,000.
   */
  readonly sanityFreqLimitPpb?: number;
  readonly feedForward?: FeedForwardOptions;
  /**
   * A second filter on meanLinkDelay, per Sync. Off by default: the port engine already keeps the
   * moving median of its Pdelay exchanges (linuxptp's delay_filter) and computes gmTime with it; this
   * is for receipts from a source that does not.
   */
  readonly linkDelayFilter?: LinkDelayFilterOptions | false;
  /** Offset-spike rejection while locked; false disables. */
  readonly spikeFilter?: OffsetSpikeFilterOptions | false;
  /** Remove the drift between a Sync's ingress and the step it causes. Default true. */
  readonly compensateStepLatency?: boolean;
}

/**
 * Syntonic's PI gains (hardware timestamps). With the feed-forward syntonizing the clock, the loop
 * only has to remove phase, so it can use a lower bandwidth than ptp4l's 0.7/0.3 and average more
 * timestamp noise. Tuned on the simulator (docs/servo.md); the same ptp4l scaling law applies.
 */
export const SYNTONIC_PI_TUNING: PiTuning = Object.freeze({
  kpScale: 0.3,
  kiScale: 0.07,
  // While the offset is beyond 1 µs (a frequency step, a slew): ptp4l's own gains, for their speed.
  acquisitionGains: Object.freeze({ kpScale: 0.7, kiScale: 0.3 }),
  acquisitionThresholdNs: 1_000,
});

/**
 * Syntonic's PI tuning for software timestamps (µs of noise): lower gains than ptp4l's hardware ones,
 * higher than its software ones (0.1/0.001), whose integral takes minutes to remove the error a noisy
 * start-up rate ratio leaves. Phase jumps are told from noise only beyond 20 µs.
 */
export const SYNTONIC_PI_TUNING_SOFTWARE: PiTuning = Object.freeze({
  kpScale: 0.07,
  kiScale: 0.003,
  slewThresholdNs: 20_000,
  // While the offset stays beyond 1.5 µs (the phase a holdover left, a noisy start-up rate ratio):
  // the hardware tracking gains. Tracking gains alone took 4–13 s after an 8 s outage to bring the
  // offset RMS under 1 µs (simulated, 600 ns gaussian timestamp noise; 10–14 s seen in the lab).
  acquisitionGains: Object.freeze({ kpScale: 0.3, kiScale: 0.07 }),
  acquisitionThresholdNs: 1_500,
});

/** A ClockServo that behaves as ptp4l's PI servo with its hardware-timestamping defaults. */
export const PTP4L_REFERENCE_OPTIONS: ClockServoOptions = Object.freeze({
  servo: 'pi',
  pi: { kpScale: 0.7, kiScale: 0.3 },
  stepThresholdNs: 0,
  firstStepThresholdNs: PTP4L_FIRST_STEP_THRESHOLD_NS,
  feedForward: { enabled: false },
  linkDelayFilter: false,
  spikeFilter: false,
  compensateStepLatency: false,
});

/** What ClockServo made of one Sync: what it did to the clock, and what TimeBaseStatus needs to know. */
export interface ServoSyncOutput {
  /** False when the receipt was not given to the servo (see rejection). */
  readonly accepted: boolean;
  readonly rejection?: string;
  /** The rejection with its figures (the spike filter's limit, ns), for a debug line. */
  readonly rejectionDetail?: string;
  /** Offset from master, ns (after the link-delay filter); NaN when the receipt was invalid. */
  readonly offsetNs: number;
  readonly servoState: ServoState;
  /** Frequency adjustment of the clock after this Sync, ppb. */
  readonly frequencyPpb: number;
  /** The step applied, ns, when the servo jumped. */
  readonly stepNs?: number;
  /** Servo happenings worth a log line (resets, grandmaster changes); a rejection is in rejectionDetail. */
  readonly notes: readonly string[];
  /** False for a receipt with an unusable field: it tells nothing about the master. */
  readonly received: boolean;
  /** The servo's state and frequency estimate right after it took this offset (a spike never reaches it). */
  readonly sample?: { readonly state: ServoState; readonly frequencyEstimatePpb: number };
  /** How far a step moved the timestamp clock itself (timestampsFollowAdjustment), ns. */
  readonly localShiftNs?: number;
  /** meanLinkDelay as used (after the optional link-delay filter), ns. */
  readonly pathDelayNs?: number;
  /** How far the offsets moved the clock's course, a change believed or followed, ns (servo.ts). */
  readonly phaseChangeNs?: number;
}

/** The servo's own figures ("master offset" is the status's: the last offset used). */
export interface ServoReport {
  readonly servoState: ServoState;
  /** The clock's frequency adjustment, ppb. */
  readonly frequencyPpb: number;
  readonly rateRatio: number | undefined;
  /** Filtered meanLinkDelay, ns ("path delay"). */
  readonly pathDelayNs: number | undefined;
  readonly steps: number;
  readonly rejectedSpikes: number;
  readonly sanityResets: number;
  /** The oscillator's walk the servo learned (the Kalman servo, unless kalman_frequency_wander is set); absent before any. */
  readonly oscillatorWander?: LearnedWander;
}

/** The servo a timestamping mode gets when none is configured. */
export function defaultServo(timestamping: 'hardware' | 'software' | undefined): ServoName {
  return timestamping === 'software' ? 'kalman' : 'pi';
}

/** Whether the servo learns the oscillator's walk (oscillatorWander.ts): the Kalman servo, when kalman_frequency_wander does not say it. */
export function learnsOscillatorWander(options: Pick<ClockServoOptions, 'servo' | 'timestamping' | 'kalmanFrequencyWanderPpbPerSqrtS'>): boolean {
  return (options.servo ?? defaultServo(options.timestamping)) === 'kalman' && options.kalmanFrequencyWanderPpbPerSqrtS === undefined;
}

export class ClockServo {
  private readonly servo: Servo;
  private readonly feedForward: FeedForward;
  /** What the engine measured of the link (its noise, this Sync's rate ratio), handed to the servo with each offset (one object, reused). */
  private readonly linkNoise: LinkNoise = { feedForwardSigmaPpb: undefined, timestampSigmaNs: undefined, rate: undefined, neighborIsGrandmaster: false };
  private readonly delayFilter: LinkDelayFilter | undefined;
  private readonly spikeFilter: OffsetSpikeFilter | undefined;
  private readonly sanityPpb: number;
  private readonly compensateLatency: boolean;
  private readonly software: boolean;

  private logSyncInterval: number | undefined;
  private lastRateRatio: number | undefined;
  private lastPathDelay: number | undefined;
  /** sanity_freq_limit on the offsets: the level they keep, and a suspect jump until confirmed. */
  private readonly clockCheck: ClockCheck;
  private grandmaster: SyncReceipt['grandmasterIdentity'] | null = null;
  /** gmTimeBaseIndicator and lastGmPhaseChange of the last Sync (undefined indicator before the first). */
  private timeBaseIndicator: number | undefined;
  private timeBasePhaseChange = 0n;
  /** Notes of the Sync being processed; made only when there is one (most Syncs have none). */
  private notes: string[] | undefined;
  private steps = 0;
  private sanityResets = 0;

  constructor(
    private readonly clock: DisciplinedClock,
    options: ClockServoOptions = {},
  ) {
    const follows = clock.timestampsFollowAdjustment;
    const maxFrequencyPpb = Math.min(options.maxFrequencyPpb ?? PTP4L_MAX_FREQUENCY_PPB, clock.maxFrequencyPpb);
    this.software = options.timestamping === 'software';
    const servoName = options.servo ?? defaultServo(options.timestamping);
    this.servo = createServo(servoName, {
      stepThresholdNs: options.stepThresholdNs ?? 0,
      firstStepThresholdNs: options.firstStepThresholdNs ?? PTP4L_FIRST_STEP_THRESHOLD_NS,
      maxFrequencyPpb,
      initialFrequencyPpb: clock.frequencyPpb(),
      timestampsFollowAdjustment: follows,
      pi: resolvePiTuning(options),
      ...kalmanOption(options, this.software),
      learnWander: learnsOscillatorWander(options),
      softwareTimestamps: this.software,
    });
    this.sanityPpb = options.sanityFreqLimitPpb ?? PTP4L_SANITY_FREQ_LIMIT_PPB;
    this.clockCheck = new ClockCheck(this.sanityPpb);
    this.feedForward = new FeedForward(follows, { sanityFreqLimitPpb: this.sanityPpb || undefined, ...options.feedForward });
    this.delayFilter = options.linkDelayFilter === undefined || options.linkDelayFilter === false ? undefined : new LinkDelayFilter(options.linkDelayFilter);
    // The Kalman servo gates its own input (without a median's lag): no second filter unless asked for.
    const ownGate = servoName === 'kalman' && options.spikeFilter === undefined;
    this.spikeFilter = options.spikeFilter === false || ownGate ? undefined : new OffsetSpikeFilter(options.spikeFilter);
    this.compensateLatency = options.compensateStepLatency ?? true;
  }

  /**
   * One accepted Sync from the port engine (which gives none on a port that is not asCapable, 10.2.4).
   * `afterLoss`: the status was lost until this Sync (TimeBaseStatus says so): old offsets say nothing.
   */
  onSync(receipt: SyncReceipt, afterLoss = false): ServoSyncOutput {
    const invalid = invalidField(receipt);
    if (invalid !== undefined) return this.rejected(`invalid SyncReceipt: ${invalid}`, NaN, NO_NOTES, false);
    this.notes = undefined;
    this.followSyncInterval(receipt.logSyncInterval);
    this.noticeGrandmasterChanges(receipt);
    if (afterLoss) this.resumeAfterLoss();
    this.lastRateRatio = receipt.rateRatio;
    const offset = this.offsetFromMaster(receipt);
    this.checkSanity(offset.ns, receipt.ingressTime);
    const spike = this.spikeDetail(offset.ns);
    if (spike !== undefined) return this.rejected('offset spike', offset.ns, this.takeNotes(), true, spike);
    const currentPpb = this.clock.frequencyPpb();
    const ff = this.feedForward.update(receipt.rateRatio, currentPpb, receipt.ingressTime, receipt.rateRatioSigma);
    this.linkNoise.feedForwardSigmaPpb = this.feedForward.seatedSigmaPpb();
    this.linkNoise.timestampSigmaNs = receipt.propTimeSigmaNs;
    this.linkNoise.rate = this.feedForward.measure(receipt.rateRatio, currentPpb, receipt.ingressTime, receipt.rateRatioSigma, receipt.rateRatioSpanS);
    this.linkNoise.neighborIsGrandmaster =
      receipt.grandmasterIdentity !== undefined && receipt.sourcePortIdentity.clockIdentity === receipt.grandmasterIdentity;
    const out = this.servo.sample(offset.ns, receipt.ingressTime, ff, this.linkNoise);
    const stepNs = this.apply(out, offset, receipt.ingressTime);
    const sample = { state: out.state, frequencyEstimatePpb: this.servo.frequencyEstimatePpb() };
    const shift = stepNs !== undefined && this.clock.timestampsFollowAdjustment ? { localShiftNs: stepNs } : {};
    const pathDelayNs = this.lastPathDelay;
    if (out.outlier === true) {
      if (out.heldRun !== undefined) this.note(heldRunText(out.heldRun, offset.ns));
      const detail = `offset ${offset.ns.toFixed(0)} ns is an outlier for the servo's noise model`;
      const change = out.phaseChangeNs === undefined ? {} : { phaseChangeNs: out.phaseChangeNs };
      return { ...this.rejected('offset outlier', offset.ns, this.takeNotes(), true, detail), sample, ...shift, ...change };
    }
    if (out.believedOutliers !== undefined) {
      this.note(`${out.believedOutliers} offsets in a row beyond the servo's gate agree: taken as a real change (offset ${offset.ns.toFixed(0)} ns).`);
    } else if (out.levelNs !== undefined) {
      const whole = out.phaseChangeNs ?? out.levelNs;
      this.note(
        `Offsets sit ${out.levelNs.toFixed(0)} ns from the servo's phase estimate: it takes that level, a change of ${whole.toFixed(0)} ns so far (offset ${offset.ns.toFixed(0)} ns).`,
      );
    }
    const frequencyPpb = this.clock.frequencyPpb();
    const notes = this.takeNotes();
    const change = out.phaseChangeNs === undefined ? {} : { phaseChangeNs: out.phaseChangeNs };
    const used = { accepted: true, offsetNs: offset.ns, servoState: out.state, frequencyPpb, notes, received: true, sample, pathDelayNs, ...shift, ...change };
    return stepNs === undefined ? used : { ...used, stepNs };
  }

  /** Entering holdover: run on the frequency TimeBaseStatus estimated (holdover.ts). */
  holdFrequency(frequencyPpb: number, now: LocalTime): void {
    this.clock.adjustFrequency(frequencyPpb);
    const held = this.clock.frequencyPpb();
    this.feedForward.noteAdjustment(now, held);
    this.servo.holdFrequency?.(held, now);
  }

  private note(text: string): void {
    (this.notes ??= []).push(text);
  }

  private takeNotes(): readonly string[] {
    const notes = this.notes ?? NO_NOTES;
    this.notes = undefined;
    return notes;
  }

  report(): ServoReport {
    return {
      servoState: this.servo.state(),
      frequencyPpb: this.clock.frequencyPpb(),
      rateRatio: this.lastRateRatio,
      pathDelayNs: this.lastPathDelay,
      steps: this.steps,
      rejectedSpikes: (this.spikeFilter?.rejectedCount() ?? 0) + (this.servo.uncertainty?.()?.outliers ?? 0),
      sanityResets: this.sanityResets,
      ...optionalWander(this.learnedWander()),
    };
  }

  /** The servo's own uncertainty, where it keeps one (the error bound is made of it). */
  uncertainty(): ServoUncertainty | undefined {
    return this.servo.uncertainty?.();
  }

  /** The oscillator's walk the servo learned, where it learns one. */
  learnedWander(): LearnedWander | undefined {
    return this.servo.learnedWander?.();
  }

  /** The servo's frequency estimate without phase correction, ppb. */
  frequencyEstimatePpb(): number {
    return this.servo.frequencyEstimatePpb();
  }

  /** Syncs are back after a loss: old offsets say nothing about the new ones. */
  private resumeAfterLoss(): void {
    this.spikeFilter?.reset();
    // The grandmaster may have come back with another time (a restart): step as on a first update.
    this.servo.allowFirstStep();
  }

  /** The spike filter's verdict, in s2 only (before, large offsets are the rule): why, when it is a spike. */
  private spikeDetail(offsetNs: number): string | undefined {
    if (this.spikeFilter === undefined || this.servo.state() !== ServoState.locked) return undefined;
    const verdict = this.spikeFilter.check(offsetNs);
    if (verdict.accepted) return undefined;
    return `offset ${offsetNs.toFixed(0)} ns beyond ±${(verdict.thresholdNs ?? 0).toFixed(0)} ns around the recent median`;
  }

  /** Applies the servo's decision to the clock; returns the step applied, ns, if any. */
  private apply(out: ServoOutput, offset: MasterOffset, ingress: LocalTime): number | undefined {
    if (out.state === ServoState.jump && out.stepNs !== undefined) return this.applyStep(out.stepNs, offset, out.frequencyPpb, ingress);
    if (out.state !== ServoState.locked) return undefined;
    this.clock.adjustFrequency(out.frequencyPpb);
    this.feedForward.noteAdjustment(ingress, this.clock.frequencyPpb());
    return undefined;
  }

  /**
   * The offset as a number for the servo, and split into an exact whole part and a small remainder
   * for a step: a float64 holds only 2^53 ns (104 days), and the first step of a PHC that starts at
   * 1970 is 54 years.
   */
  private offsetFromMaster(r: SyncReceipt): MasterOffset {
    let delayCorrectionNs = 0;
    if (this.delayFilter !== undefined) {
      const filtered = this.delayFilter.push(r.meanLinkDelay);
      // gmTime contains meanLinkDelay × rateRatio; swap in the filtered delay.
      delayCorrectionNs = (r.meanLinkDelay - filtered) * r.rateRatio;
      this.lastPathDelay = filtered;
    } else {
      this.lastPathDelay = r.meanLinkDelay;
    }
    const whole = this.clock.fromTimestamp(r.ingressTime) - r.gmTime;
    const remainderNs = delayCorrectionNs - r.gmTimeFractionNs;
    return { ns: Number(whole) + remainderNs, wholeNs: whole, remainderNs };
  }

  private followSyncInterval(logSyncInterval: number): void {
    if (logSyncInterval === this.logSyncInterval) return;
    this.logSyncInterval = logSyncInterval;
    this.servo.setSyncInterval(2 ** logSyncInterval);
  }

  /**
   * A new grandmaster may keep another time and frequency: its offsets may be stepped to as on a
   * first update (the Kalman servo once a run of them agrees). A time-base change
   * (gmTimeBaseIndicator, lastGmPhaseChange: 802.1AS-2020 11.4.4.3) announces a deliberate phase or
   * frequency change: the spike filter must not reject it.
   */
  private noticeGrandmasterChanges(r: SyncReceipt): void {
    if (this.grandmaster !== null && r.grandmasterIdentity !== this.grandmaster) {
      this.servo.allowFirstStep();
      this.spikeFilter?.reset();
      this.feedForward.reset();
      this.clockCheck.reset();
      this.note('New grandmaster: its time may be stepped to as on a first update (first_step_threshold).');
    } else if (this.timeBaseIndicator !== undefined && (r.gmTimeBaseIndicator !== this.timeBaseIndicator || r.lastGmPhaseChange !== this.timeBasePhaseChange)) {
      this.servo.allowFirstStep();
      this.spikeFilter?.reset();
      this.clockCheck.reset();
      this.note(`Grandmaster time base changed (gmTimeBaseIndicator ${r.gmTimeBaseIndicator}): offsets are followed without spike rejection.`);
    }
    this.grandmaster = r.grandmasterIdentity;
    this.timeBaseIndicator = r.gmTimeBaseIndicator;
    this.timeBasePhaseChange = r.lastGmPhaseChange;
  }

  /**
   * ptp4l's sanity_freq_limit, on the offsets (clockCheck.ts): a new level that a second offset
   * confirms resets the servo; a single offset beyond it is left to the servo's gate or spike filter.
   */
  private checkSanity(offsetNs: number, local: LocalTime): void {
    const verdict = this.clockCheck.sample(offsetNs, local, this.servo.state() === ServoState.locked);
    if (verdict !== 'confirmed') return;
    const impliedPpb = this.clockCheck.jumpPpb();
    this.servo.reset();
    this.servo.allowFirstStep();
    this.spikeFilter?.reset();
    this.feedForward.reset();
    this.sanityResets++;
    this.note(
      `Clock check: two offsets confirm a jump implying ${impliedPpb.toExponential(2)} ppb, beyond sanity_freq_limit ${this.sanityPpb} ppb; servo reset.`,
    );
  }

  /** Sets the frequency, steps, and keeps every stored local time consistent. Returns the step, ns. */
  private applyStep(servoStepNs: number, offset: MasterOffset, frequencyPpb: number, ingress: LocalTime): number {
    // Rebuild the step from the exact offset so that a step of years stays exact to the nanosecond.
    // servoStepNs = −offset.ns + extra, so extra = servoStepNs + offset.ns (0 for pi and linreg), and
    // the step is −wholeNs − remainderNs + extra.
    let smallPartNs = servoStepNs + offset.ns - offset.remainderNs;
    if (this.compensateLatency) {
      const elapsedNs = Number(this.clock.now() - this.clock.fromTimestamp(ingress));
      if (elapsedNs > 0 && elapsedNs < 1e9) smallPartNs -= elapsedNs * (this.clock.frequencyPpb() - frequencyPpb) * 1e-9;
    }
    const delta = -offset.wholeNs + BigInt(Math.round(smallPartNs));
    this.clock.adjustFrequency(frequencyPpb);
    this.feedForward.noteAdjustment(ingress, this.clock.frequencyPpb());
    this.clock.step(delta);
    this.steps++;
    this.spikeFilter?.reset();
    this.clockCheck.reset();
    const applied = Number(delta);
    if (this.clock.timestampsFollowAdjustment) {
      // The timestamp clock itself moved: everything remembered in its time moves with it.
      this.servo.shiftLocalTime(applied);
      this.feedForward.notifyStep(applied, addNs(ingress, applied));
    }
    return applied;
  }

  private rejected(reason: string, offsetNs: number, notes: readonly string[], received: boolean, detail?: string): ServoSyncOutput {
    const out = {
      accepted: false,
      rejection: reason,
      ...(detail === undefined ? {} : { rejectionDetail: detail }),
      offsetNs,
      servoState: this.servo.state(),
      frequencyPpb: this.clock.frequencyPpb(),
      notes,
      received,
    };
    return received ? { ...out, pathDelayNs: this.lastPathDelay } : out;
  }
}

/** The log line of a run held (neighborPhaseWitness.ts): what the Syncs showed, what the grandmaster's own ratios said. */
function heldRunText(held: HeldRun, offsetNs: number): string {
  const move = `${formatSigned(held.neighborMoveNs, 0)} ± ${held.neighborMoveSigmaNs.toFixed(0)} ns`;
  return (
    `${held.outliers} offsets in a row beyond the servo's gate agree (offset ${offsetNs.toFixed(0)} ns), but the grandmaster's Pdelay answers say its time moved ${move}: ` +
    `a change of the Syncs' path, not followed while it lasts.`
  );
}

/**
 * The PI tuning in force: `pi` if given, else Syntonic's for the timestamping mode; `piOverrides`
 * (a file's pi_* options) laid over it, so that one option changes one thing.
 */
export function resolvePiTuning(options: Pick<ClockServoOptions, 'pi' | 'piOverrides' | 'timestamping'>): PiTuning {
  const base = options.pi ?? (options.timestamping === 'software' ? SYNTONIC_PI_TUNING_SOFTWARE : SYNTONIC_PI_TUNING);
  const o = options.piOverrides;
  if (o === undefined) return base;
  const fixed = o.kpConst !== undefined && o.kiConst !== undefined && o.kpConst > 0 && o.kiConst > 0;
  if (!fixed) return { ...base, ...o };
  const { acquisitionGains: _dropped, ...rest } = base;
  return { ...rest, ...o };
}

const NO_NOTES: readonly string[] = Object.freeze([]);

interface MasterOffset {
  /** clock − master, ns, as a number (what the servo sees). */
  readonly ns: number;
  /** Its exact whole part from the two time points, ns. */
  readonly wholeNs: bigint;
  /** ns − wholeNs: the fraction of gmTime and the link-delay filter's correction, ns. */
  readonly remainderNs: number;
}

/** The first field of a receipt the servo cannot use, named; undefined when all are usable. */
function invalidField(r: SyncReceipt): string | undefined {
  if (!(Number.isFinite(r.rateRatio) && r.rateRatio > 0)) return `rateRatio ${r.rateRatio} is not a positive finite number`;
  if (!Number.isFinite(r.meanLinkDelay)) return `meanLinkDelay ${r.meanLinkDelay} is not finite`;
  if (!(r.gmTimeFractionNs >= 0 && r.gmTimeFractionNs < 1)) return `gmTimeFractionNs ${r.gmTimeFractionNs} is not in [0, 1)`;
  if (!(Number.isInteger(r.logSyncInterval) && r.logSyncInterval >= -128 && r.logSyncInterval <= 126)) {
    return `logSyncInterval ${r.logSyncInterval} is not a usable log2 interval`;
  }
  return undefined;
}

function optionalWander(wander: LearnedWander | undefined): { oscillatorWander?: LearnedWander } {
  return wander === undefined ? {} : { oscillatorWander: wander };
}

/**
 * The Kalman tuning given, with kalman_frequency_wander laid over it where the file set one; where it
 * did not, the prior a learning servo starts from, when one was kept.
 */
function kalmanOption(
  options: Pick<ClockServoOptions, 'kalman' | 'kalmanFrequencyWanderPpbPerSqrtS' | 'kalmanWanderPrior'>,
  software: boolean,
): { kalman?: KalmanTuning; wanderPrior?: WanderPrior } {
  const wander = options.kalmanFrequencyWanderPpbPerSqrtS;
  if (wander !== undefined) return { kalman: { ...options.kalman, ...trackingWander(wander, software) } };
  const prior = options.kalmanWanderPrior === undefined ? {} : { wanderPrior: options.kalmanWanderPrior };
  return { ...(options.kalman === undefined ? {} : { kalman: options.kalman }), ...prior };
}
