/**
 * Linear-regression servo (the idea of linuxptp's linreg): fit master time against free-running local
 * time over the last 4, 8, 16, 32 or 64 samples, keep for each window length an exponential average
 * of how well it predicted the next sample, and use the longest window whose prediction error is
 * (within 5 %) the smallest. The slope is the frequency the clock needs; the intercept at "now" is the
 * smoothed offset, removed over one (windows ≤ 16) or size/2 Sync intervals.
 *
 * Coordinates: x accumulates free-running (uncorrected) time, y accumulates the clock's own time; a
 * sample is the point (x, y − offset), i.e. master time against free-running time. With PHC timestamps
 * the local interval is the clock's and x removes the applied frequency; with a virtual clock the local
 * interval is the free-running base's and y adds it.
 *
 * The rate ratio (feed-forward) is not used: the regression is itself the frequency estimator.
 */
import { addNs, type LocalTime } from '../clock/timePoint.js';
import { clampAbs, PTP4L_FIRST_STEP_THRESHOLD_NS, PTP4L_MAX_FREQUENCY_PPB, type CommonServoOptions, type Servo, type ServoOutput, mustStep } from './servo.js';
import { ServoState } from './servoState.js';

export interface LinregServoOptions extends CommonServoOptions {
  /** Initial Sync interval, s, until setSyncInterval is called. Default 1 s. */
  readonly syncIntervalS?: number;
}

/** Window sizes are powers of two from 2^MIN_LOG2 to 2^MAX_LOG2 points. */
const MIN_LOG2 = 2;
const MAX_LOG2 = 6;
const MAX_POINTS = 1 << MAX_LOG2;
/** Weight of a new prediction error in the average. */
const ERROR_SMOOTHING = 0.02;
/** Predictions averaged plainly before the exponential average takes over. */
const ERROR_INITIAL_UPDATES = 10;
/** Errors within 5 % count as equal, and the longer window wins. */
const ERROR_EQUAL_RATIO = 1.05;

interface Point {
  readonly x: bigint;
  readonly y: bigint;
}

interface Fit {
  slope: number;
  /** y − reference.y predicted at x = reference.x, ns. */
  intercept: number;
  predictionErrorNs: number;
  errorUpdates: number;
  valid: boolean;
}

export class LinregServo implements Servo {
  readonly name = 'linreg' as const;

  private readonly stepThresholdNs: number;
  private readonly firstStepThresholdNs: number;
  private readonly maxFrequencyPpb: number;
  private readonly followsAdjustment: boolean;
  private updateIntervalS: number;

  private readonly points: Point[] = [];
  private referenceX = 0n;
  private referenceY = 0n;
  private xRemainder = 0;
  private lastLocal: LocalTime | undefined;
  private readonly fits: Fit[] = [];
  private clockFrequencyPpb: number;
  private firstUpdate = true;
  private currentState: ServoState = ServoState.unlocked;

  constructor(options: LinregServoOptions = {}) {
    this.stepThresholdNs = options.stepThresholdNs ?? 0;
    this.firstStepThresholdNs = options.firstStepThresholdNs ?? PTP4L_FIRST_STEP_THRESHOLD_NS;
    this.maxFrequencyPpb = options.maxFrequencyPpb ?? PTP4L_MAX_FREQUENCY_PPB;
    this.followsAdjustment = options.timestampsFollowAdjustment ?? true;
    this.clockFrequencyPpb = options.initialFrequencyPpb ?? 0;
    this.updateIntervalS = 1;
    this.setSyncInterval(options.syncIntervalS ?? 1);
    if (!(this.stepThresholdNs >= 0) || !(this.firstStepThresholdNs >= 0)) throw new RangeError('step thresholds must be ≥ 0 ns');
    if (!(this.maxFrequencyPpb > 0)) throw new RangeError('maxFrequencyPpb must be > 0');
    this.resetFits();
  }

  setSyncInterval(intervalS: number): void {
    if (!(intervalS > 0 && Number.isFinite(intervalS))) throw new RangeError(`Sync interval must be > 0 s, got ${intervalS}`);
    this.updateIntervalS = intervalS;
  }

  sample(offsetNs: number, localTime: LocalTime): ServoOutput {
    if (!Number.isFinite(offsetNs)) throw new RangeError(`offset must be finite ns, got ${offsetNs}`);
    this.advanceReference(localTime);
    this.points.push({ x: this.referenceX, y: this.referenceY - BigInt(Math.round(offsetNs)) });
    if (this.points.length > MAX_POINTS) this.points.shift();
    this.regress();
    const best = this.bestSize();
    if (best === undefined) {
      this.currentState = ServoState.unlocked;
      return { state: this.currentState, frequencyPpb: this.clockFrequencyPpb };
    }
    const fit = this.fits[best - MIN_LOG2] as Fit;
    let stepNs: number | undefined;
    if (this.mustStep(fit.intercept)) {
      stepNs = -offsetNs;
      // The clock's time moves by the step: so does the y reference.
      this.moveReference(0n, BigInt(Math.round(stepNs)));
    }
    // Longer windows remove the offset more slowly: they trust their frequency more.
    const correctionIntervals = best <= 4 ? 1 : best / 2;
    const frequency = 1e9 * (fit.slope - 1) + fit.intercept / this.updateIntervalS / correctionIntervals;
    this.clockFrequencyPpb = clampAbs(frequency, this.maxFrequencyPpb);
    this.firstUpdate = false;
    this.currentState = stepNs === undefined ? ServoState.locked : ServoState.jump;
    return stepNs === undefined
      ? { state: this.currentState, frequencyPpb: this.clockFrequencyPpb }
      : { state: this.currentState, frequencyPpb: this.clockFrequencyPpb, stepNs };
  }

  reset(): void {
    this.points.length = 0;
    this.lastLocal = undefined;
    this.resetFits();
    this.currentState = ServoState.unlocked;
  }

  holdFrequency(frequencyPpb: number, localTime: LocalTime): void {
    // The reference moves to the hold on the frequency applied so far; from there on the held one counts.
    if (this.lastLocal !== undefined && localTime > this.lastLocal) this.advanceReference(localTime);
    this.clockFrequencyPpb = frequencyPpb;
  }

  allowFirstStep(): void {
    this.firstUpdate = true;
  }

  shiftLocalTime(deltaNs: number): void {
    if (this.lastLocal !== undefined) this.lastLocal = addNs(this.lastLocal, deltaNs);
  }

  frequencyEstimatePpb(): number {
    const best = this.bestSize();
    if (best === undefined) return this.clockFrequencyPpb;
    const fit = this.fits[best - MIN_LOG2] as Fit;
    return clampAbs(1e9 * (fit.slope - 1), this.maxFrequencyPpb);
  }

  state(): ServoState {
    return this.currentState;
  }

  private advanceReference(localTime: LocalTime): void {
    const last = this.lastLocal;
    this.lastLocal = localTime;
    if (last === undefined) return;
    const localInterval = Number(localTime - last);
    const rate = 1 + this.clockFrequencyPpb * 1e-9;
    const freeRunning = this.followsAdjustment ? localInterval / rate : localInterval;
    const clockInterval = this.followsAdjustment ? localInterval : localInterval * rate;
    const x = freeRunning + this.xRemainder;
    const wholeX = Math.trunc(x);
    this.xRemainder = x - wholeX;
    this.moveReference(BigInt(wholeX), BigInt(Math.round(clockInterval)));
  }

  /** Moves the reference point and re-expresses every intercept relative to it. */
  private moveReference(dx: bigint, dy: bigint): void {
    this.referenceX += dx;
    this.referenceY += dy;
    for (const fit of this.fits) fit.intercept += Number(dx) * fit.slope - Number(dy);
  }

  private regress(): void {
    const newest = this.points[this.points.length - 1] as Point;
    const observed = Number(newest.y - this.referenceY);
    let sx = 0;
    let sy = 0;
    let sxy = 0;
    let sxx = 0;
    let used = 0;
    for (let log2 = MIN_LOG2; log2 <= MAX_LOG2; log2++) {
      const n = 1 << log2;
      if (n > this.points.length) break;
      const fit = this.fits[log2 - MIN_LOG2] as Fit;
      if (fit.valid) this.updatePredictionError(fit, Math.abs(fit.intercept - observed));
      for (; used < n; used++) {
        const p = this.points[this.points.length - 1 - used] as Point;
        const x = Number(p.x - this.referenceX);
        const y = Number(p.y - this.referenceY);
        sx += x;
        sy += y;
        sxy += x * y;
        sxx += x * x;
      }
      fit.slope = (sxy - (sx * sy) / n) / (sxx - (sx * sx) / n);
      fit.intercept = (sy - fit.slope * sx) / n;
      fit.valid = Number.isFinite(fit.slope) && Number.isFinite(fit.intercept);
    }
  }

  private updatePredictionError(fit: Fit, errorNs: number): void {
    if (fit.errorUpdates < ERROR_INITIAL_UPDATES) {
      fit.predictionErrorNs = (fit.predictionErrorNs * fit.errorUpdates + errorNs) / (fit.errorUpdates + 1);
      fit.errorUpdates++;
    } else {
      fit.predictionErrorNs += ERROR_SMOOTHING * (errorNs - fit.predictionErrorNs);
    }
  }

  /** log2 of the window to use: the longest whose settled prediction error is the smallest. */
  private bestSize(): number | undefined {
    let best: number | undefined;
    let bestError = 0;
    for (let log2 = MIN_LOG2; log2 <= MAX_LOG2; log2++) {
      const fit = this.fits[log2 - MIN_LOG2] as Fit;
      if (!fit.valid) continue;
      if (best === undefined || (bestError * ERROR_EQUAL_RATIO > fit.predictionErrorNs && fit.errorUpdates >= ERROR_INITIAL_UPDATES)) {
        best = log2;
        bestError = fit.predictionErrorNs;
      }
    }
    return best;
  }

  private mustStep(interceptNs: number): boolean {
    return mustStep(interceptNs, this.firstUpdate, this.firstStepThresholdNs, this.stepThresholdNs);
  }

  private resetFits(): void {
    this.fits.length = 0;
    for (let log2 = MIN_LOG2; log2 <= MAX_LOG2; log2++) {
      this.fits.push({ slope: 0, intercept: 0, predictionErrorNs: 0, errorUpdates: 0, valid: false });
    }
  }
}
