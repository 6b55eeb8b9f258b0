/**
 * Proportional-integral clock servo with linuxptp's states and gain scaling, plus an optional
 * feed-forward frequency from the measured rate ratio.
 *
 * Gains follow ptp4l's law for the Sync interval (piGains.ts): kpScale/kiScale 0.7/0.3 (hardware
 * timestamps) or 0.1/0.001 (software) by default, optionally with separate acquisition gains.
 *
 * Frequency:
 *   frequency = base + integral + kp · (−offset);  integral += ki · (−offset)
 * Without feed-forward, base = 0 and the integral holds the whole frequency (ptp4l's "drift"),
 * first estimated from two offsets at least 0.016/ki s apart (ptp4l's freq_est_interval).
 * With feed-forward, base = the frequency the rate ratio asks for (see feedForward.ts for when a new
 * value is handed over) and the integral holds only the residual: wander since the base was seated,
 * bias of the rate ratio. A new feed-forward value seats the estimate (base = value, integral = 0), so
 * the integrator never fights it; the same value again leaves the integral alone. The first sample
 * can then lock (or jump) at once: no two-sample frequency estimate is needed.
 *
 * Anti-windup: the integral does not move while the output is clamped to maxFrequencyPpb (as ptp4l),
 * nor, with a feed-forward, while a phase jump (an offset that left ±slewThresholdNs in one Sync
 * interval) is being slewed: the proportional term alone removes it instead of winding the integral up
 * into a long overshoot. A frequency error (an offset that keeps growing) is integrated as usual.
 */
import type { LocalTime } from '../clock/timePoint.js';
import { clampAbs, PTP4L_FIRST_STEP_THRESHOLD_NS, PTP4L_MAX_FREQUENCY_PPB, type CommonServoOptions, type Servo, type ServoOutput, mustStep } from './servo.js';
import { ServoState } from './servoState.js';
import { GainSchedule, PTP4L_PI, type PiGainOptions } from './piGains.js';

export { piGains, PTP4L_PI, type PiGainOptions } from './piGains.js';

/** Gains plus Syntonic's additions (slew, acquisition): everything a user tunes. */
export interface PiTuning extends PiGainOptions {
  /**
   * With a feed-forward, an offset that leaves ±slewThresholdNs in one Sync interval (a phase jump) is
   * slewed by the proportional term alone while it shrinks (see integratorInput): the integral holds a
   * frequency residual, and a phase jump is not one. 0 disables. Default 1000 ns, or 20,000 ns with
   * softwareTimestamps (µs of noise must not look like jumps). Without a feed-forward the integral
   * always runs, as in ptp4l.
   */
  readonly slewThresholdNs?: number;
  /**
   * Gains used while the offset is large ("acquisition"), e.g. ptp4l's own 0.7/0.3 when the tracking
   * gains are lower. Undefined: one gain set. The servo switches to them when |offset| exceeds
   * acquisitionThresholdNs on two Syncs in a row, and back after acquisitionExitSamples Syncs in a row
   * within half the threshold.
   */
  readonly acquisitionGains?: PiGainOptions;
  /** Default 1000 ns. */
  readonly acquisitionThresholdNs?: number;
  /** Default 16. */
  readonly acquisitionExitSamples?: number;
}

export interface PiServoOptions extends CommonServoOptions, PiTuning {
  /** Initial Sync interval, s, until setSyncInterval is called. Default 1 s. */
  readonly syncIntervalS?: number;
}

export class PiServo implements Servo {
  readonly name = 'pi' as const;

  private kp = 0;
  private ki = 0;
  private readonly schedule: GainSchedule;
  private readonly stepThresholdNs: number;
  private readonly firstStepThresholdNs: number;
  private readonly maxFrequencyPpb: number;
  private readonly followsAdjustment: boolean;
  private readonly slewThresholdNs: number;

  /** 0: no sample yet; 1: one sample stored (no feed-forward); 2: running. */
  private count = 0;
  private firstOffsetNs = 0;
  private firstLocal = 0n;
  private firstUpdate = true;
  /** Frequency estimate beyond the feed-forward (all of it without feed-forward), ppb. */
  private integralPpb: number;
  /** The feed-forward the integral is relative to, undefined when none was used. */
  private basePpb: number | undefined;
  private lastFrequencyPpb: number;
  private previousOffsetNs: number | undefined;
  /** A phase jump is being slewed by the proportional term (see integratorInput). */
  private slewing = false;
  private currentState: ServoState = ServoState.unlocked;

  constructor(options: PiServoOptions = {}) {
    this.stepThresholdNs = nonNegative('stepThresholdNs', options.stepThresholdNs ?? 0);
    this.firstStepThresholdNs = nonNegative('firstStepThresholdNs', options.firstStepThresholdNs ?? PTP4L_FIRST_STEP_THRESHOLD_NS);
    this.maxFrequencyPpb = positive('maxFrequencyPpb', options.maxFrequencyPpb ?? PTP4L_MAX_FREQUENCY_PPB);
    this.followsAdjustment = options.timestampsFollowAdjustment ?? true;
    this.slewThresholdNs = nonNegative('slewThresholdNs', options.slewThresholdNs ?? (options.softwareTimestamps === true ? 20_000 : 1_000));
    this.schedule = new GainSchedule(
      options,
      options.acquisitionGains,
      positive('acquisitionThresholdNs', options.acquisitionThresholdNs ?? 1_000),
      positive('acquisitionExitSamples', options.acquisitionExitSamples ?? 16),
    );
    this.integralPpb = options.initialFrequencyPpb ?? 0;
    this.lastFrequencyPpb = this.integralPpb;
    this.setSyncInterval(options.syncIntervalS ?? 1);
  }

  /** Current gains, for logs and tests. */
  gains(): { kp: number; ki: number; acquiring: boolean } {
    return { kp: this.kp, ki: this.ki, acquiring: this.schedule.acquiring() };
  }

  setSyncInterval(intervalS: number): void {
    if (!(intervalS > 0 && Number.isFinite(intervalS))) throw new RangeError(`Sync interval must be > 0 s, got ${intervalS}`);
    this.schedule.setSyncInterval(intervalS);
    this.useGains(this.schedule.current());
  }

  sample(offsetNs: number, localTime: LocalTime, feedForwardPpb?: number): ServoOutput {
    if (!Number.isFinite(offsetNs)) throw new RangeError(`offset must be finite ns, got ${offsetNs}`);
    this.rebase(feedForwardPpb);
    let out: ServoOutput;
    if (this.count === 2) out = this.track(offsetNs, localTime, feedForwardPpb);
    else if (feedForwardPpb !== undefined) out = this.startWithFeedForward(offsetNs, localTime);
    else out = this.startWithoutFeedForward(offsetNs, localTime);
    this.currentState = out.state;
    // After a step the next offset is unrelated to the one before it.
    if (out.state === ServoState.jump) this.previousOffsetNs = undefined;
    if (out.state !== ServoState.unlocked) {
      this.lastFrequencyPpb = out.frequencyPpb;
      if (out.state === ServoState.locked || out.state === ServoState.jump) this.firstUpdate = false;
    }
    return out;
  }

  reset(): void {
    this.count = 0;
    this.slewing = false;
    this.previousOffsetNs = undefined;
    this.currentState = ServoState.unlocked;
  }

  allowFirstStep(): void {
    this.firstUpdate = true;
  }

  holdFrequency(frequencyPpb: number): void {
    // The clock now runs on the held frequency (holdover: the servo's own estimate, or a ramp's
    // course): when Syncs return, the integral goes on from there, not from before the loss.
    this.integralPpb = frequencyPpb - (this.basePpb ?? 0);
  }

  shiftLocalTime(deltaNs: number): void {
    this.firstLocal += BigInt(Math.round(deltaNs));
  }

  frequencyEstimatePpb(): number {
    return (this.basePpb ?? 0) + this.integralPpb;
  }

  state(): ServoState {
    return this.currentState;
  }

  /**
   * A feed-forward value different from the last one seats the frequency estimate: base = value, and
   * the integral (the residual) starts from zero. The same value again leaves the integral alone.
   * When the feed-forward disappears, the integral takes over the whole estimate (continuity).
   */
  private rebase(feedForwardPpb: number | undefined): void {
    if (feedForwardPpb === undefined) {
      if (this.basePpb !== undefined) this.integralPpb += this.basePpb;
      this.basePpb = undefined;
      return;
    }
    if (feedForwardPpb !== this.basePpb) {
      this.basePpb = feedForwardPpb;
      this.integralPpb = 0;
    }
  }

  private startWithFeedForward(offsetNs: number, localTime: LocalTime): ServoOutput {
    this.count = 2;
    const frequencyPpb = this.clamp(this.frequencyEstimatePpb());
    if (this.mustStep(offsetNs)) return { state: ServoState.jump, frequencyPpb, stepNs: -offsetNs };
    return this.track(offsetNs, localTime, this.basePpb);
  }

  /** ptp4l's start: two samples far enough apart give the frequency, then jump or lock. */
  private startWithoutFeedForward(offsetNs: number, localTime: LocalTime): ServoOutput {
    if (this.count === 0) {
      this.firstOffsetNs = offsetNs;
      this.firstLocal = localTime;
      this.count = 1;
      return { state: ServoState.unlocked, frequencyPpb: this.lastFrequencyPpb };
    }
    if (this.firstLocal >= localTime) {
      this.count = 0;
      return { state: ServoState.unlocked, frequencyPpb: this.lastFrequencyPpb };
    }
    const localDiffNs = Number(localTime - this.firstLocal);
    const localDiffS = (localDiffNs / 1e9) * (1 + PTP4L_PI.freqEstMargin);
    const freqEstIntervalS = Math.min(PTP4L_PI.freqEstConstant / this.ki, PTP4L_PI.freqEstMaxS);
    if (localDiffS < freqEstIntervalS) return { state: ServoState.unlocked, frequencyPpb: this.lastFrequencyPpb };

    // The offset grows by (clock rate − master rate) per local ns. With PHC timestamps the local
    // clock already runs at (1 + f), so the correction scales by (1e9 + f) ppb, as ptp4l's formula.
    const offsetRate = (offsetNs - this.firstOffsetNs) / localDiffNs;
    const scale = this.followsAdjustment ? 1e9 + this.integralPpb : 1e9;
    this.integralPpb = this.clamp(this.integralPpb - scale * offsetRate);
    this.count = 2;
    const frequencyPpb = this.integralPpb;
    if (this.mustStep(offsetNs)) return { state: ServoState.jump, frequencyPpb, stepNs: -offsetNs };
    return { state: ServoState.locked, frequencyPpb };
  }

  private track(offsetNs: number, localTime: LocalTime, feedForwardPpb: number | undefined): ServoOutput {
    if (this.stepThresholdNs > 0 && Math.abs(offsetNs) > this.stepThresholdNs) {
      if (feedForwardPpb !== undefined) {
        return { state: ServoState.jump, frequencyPpb: this.clamp(this.frequencyEstimatePpb()), stepNs: -offsetNs };
      }
      // Without a frequency source, ptp4l starts over: re-estimate the frequency, then jump.
      this.count = 0;
      return this.startWithoutFeedForward(offsetNs, localTime);
    }
    this.useGains(this.schedule.update(offsetNs));
    const kiTerm = this.ki * this.integratorInput(offsetNs, feedForwardPpb !== undefined);
    const unclamped = this.frequencyEstimatePpb() + this.kp * -offsetNs + kiTerm;
    const frequencyPpb = this.clamp(unclamped);
    if (frequencyPpb === unclamped) this.integralPpb += kiTerm;
    return { state: ServoState.locked, frequencyPpb };
  }

  /**
   * What the integral integrates, ns (sign: −offset). With a feed-forward, an offset that leaves the
   * ±slewThresholdNs region in one Sync interval starts a slew: while it stays beyond the threshold
   * and keeps shrinking, the proportional term alone removes it and the integral is left alone. The
   * slew ends when the offset is back within the threshold or stops shrinking: a frequency error (an
   * offset that ramps) is then integrated as usual, one Sync late at most.
   */
  private integratorInput(offsetNs: number, withFeedForward: boolean): number {
    const previous = this.previousOffsetNs;
    this.previousOffsetNs = offsetNs;
    const threshold = this.slewThresholdNs;
    if (!withFeedForward || threshold === 0) return -offsetNs;
    const magnitude = Math.abs(offsetNs);
    if (previous === undefined || magnitude <= threshold) {
      this.slewing = false;
    } else if (Math.abs(previous) <= threshold) {
      // Out of the locked region in one interval: a phase jump (a frequency error ramps out instead,
      // and is then caught by the growth test below one Sync later).
      this.slewing = true;
    } else if (magnitude >= Math.abs(previous)) {
      this.slewing = false;
    }
    return this.slewing ? 0 : -offsetNs;
  }

  private useGains(g: { kp: number; ki: number }): void {
    this.kp = g.kp;
    this.ki = g.ki;
  }

  private mustStep(offsetNs: number): boolean {
    return mustStep(offsetNs, this.firstUpdate, this.firstStepThresholdNs, this.stepThresholdNs);
  }

  private clamp(ppb: number): number {
    return clampAbs(ppb, this.maxFrequencyPpb);
  }
}

function nonNegative(name: string, v: number): number {
  if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`${name} must be ≥ 0, got ${v}`);
  return v;
}

function positive(name: string, v: number): number {
  if (!(v > 0 && Number.isFinite(v))) throw new RangeError(`${name} must be > 0, got ${v}`);
  return v;
}
