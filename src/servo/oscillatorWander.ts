/**
 * The oscillator's wander against the grandmaster, learned from the Syncs over tens of minutes: the
 * Allan variance of the clock's free-running phase (the offsets less every adjustment the servo made)
 * at one long interval τ, read as a random walk of the frequency (RWFM: σy²(τ) = q·τ/3, q in ppb²/s).
 *
 * Why τ is long: within a run of minutes nothing tells an oscillator's slow wander from the software
 * Sync path's (docs/servo.md, "The oscillator's wander, configured"). Over 256 s the latency's
 * wander, which comes back within seconds, is a phase noise of a few hundred ns at each end, 6σ²/τ² ≈
 * 8 ppb² of the second difference's variance, while a walk of 1 ppb/√s adds 2qτ/3 ≈ 171 ppb². The
 * phase noise is not taken away: it can only make the walk read larger, the side a Kalman filter
 * pays least for (a filter that assumes too little wander follows the oscillator late).
 *
 * Each phase point is the median of the phases within pointSpanS, each moved to the point's centre
 * with the frequency the servo believed then: a median leaves the late frames of software timestamps
 * out, and the frequency error over two seconds is ns. A discontinuity of the phase the servo knows of
 * (a step of the clock, a new start, a new grandmaster, Syncs back after a loss, which the
 * grandmaster may have restarted with another time) restarts the points: no second difference spans
 * it. One of the time it follows (the grandmaster's time moved) is a few dozen large squares among
 * hundreds, which the estimate leaves out (OUTLIER_MEDIANS). A change the servo believes is not a
 * restart: a filter that assumed too little walk believes the oscillator's own wander as runs of
 * changes (a simulated PHC at 16 ppb/√s tracked with 1: 24 in two hours), and must learn from
 * exactly those.
 */
import { median } from '../protocol/windowedMedian.js';

export interface OscillatorWanderOptions {
  /** The Allan interval, s. */
  readonly tauS?: number;
  /** The spacing of the phase points, s: τ is a whole number of them (second differences overlap). */
  readonly strideS?: number;
  /** Each phase point is the median of the phases over this span, s. */
  readonly pointSpanS?: number;
  /** How far back second differences are kept, s: an oscillator's wander changes with its environment. */
  readonly memoryS?: number;
}

/** What the phases say of the oscillator's random walk. */
export interface WanderEstimate {
  /** The walk's point estimate, ppb/√s. */
  readonly ppbPerSqrtS: number;
  /** Its one-sided upper bound (90 %), ppb/√s. */
  readonly upperPpbPerSqrtS: number;
  /** Independent second differences it rests on (their span over τ), prior included. */
  readonly evidence: number;
}

/** The oscillator's walk as a servo knows it and tracks with. */
export interface LearnedWander extends WanderEstimate {
  /**
   * The walk the filter tracks with, ppb/√s: from the learned one once in use (its mode's scale × the
   * upper bound, within limits), the configured one until then.
   */
  readonly trackingPpbPerSqrtS: number;
  /** Whether the evidence is enough for the filter to use it yet. */
  readonly inUse: boolean;
}

/** A learned walk kept from an earlier run: the point estimate and the evidence it rests on. */
export interface WanderPrior {
  readonly ppbPerSqrtS: number;
  readonly evidence: number;
}

export const OSCILLATOR_WANDER_DEFAULTS: Required<OscillatorWanderOptions> = Object.freeze({
  tauS: 256,
  strideS: 16,
  pointSpanS: 4,
  memoryS: 4 * 3600,
});

/**
 * A kept walk counts for at most this many independent second differences (68 min of them): what a
 * restart brings is an estimate, not days of evidence, and the oscillator's surroundings may have
 * changed since (a walk saved again carries its prior in it and would otherwise grow by each restart).
 */
export const MAX_PRIOR_EVIDENCE = 16;
/** A point needs this many phases, so that its median leaves a late frame out. */
const MIN_POINT_SAMPLES = 3;
/** Squares beyond this many times their median are a discontinuity nobody told of (χ²₁: 0.4 % of honest ones). */
const OUTLIER_MEDIANS = 18;
/** The one-sided 90 % quantile of the standard normal (Wilson–Hilferty's χ² approximation). */
const Z_90 = 1.2816;

export class OscillatorWander {
  private readonly options: Required<OscillatorWanderOptions>;
  /** Phase points at the stride, newest last, NaN where a span had too few phases; 2·lag + 1 kept. */
  private readonly points: Float64Array;
  private readonly lag: number;
  /** The current span: its start, s, and the phases moved to its centre. */
  private spanStartS: number | undefined;
  private readonly spanPhases: number[] = [];
  /** Squared second differences (ppb²) and when each was taken (s), oldest first. */
  private readonly squares: number[] = [];
  private readonly squareAtS: number[] = [];
  private prior: WanderPrior | undefined;
  /** The estimate of the squares and prior as they are; null when either changed since. */
  private cached: WanderEstimate | undefined | null = null;

  constructor(options: OscillatorWanderOptions = {}) {
    this.options = { ...OSCILLATOR_WANDER_DEFAULTS, ...options };
    const { tauS, strideS, pointSpanS, memoryS } = this.options;
    if (!(strideS > 0 && pointSpanS > 0 && pointSpanS <= strideS)) throw new RangeError('oscillator wander: need 0 < pointSpanS ≤ strideS');
    const lag = tauS / strideS;
    if (!(Number.isInteger(lag) && lag >= 1)) throw new RangeError('oscillator wander: tauS must be a whole number of strides');
    if (!(memoryS >= 2 * tauS)) throw new RangeError('oscillator wander: memoryS must hold at least 2 τ');
    this.lag = lag;
    this.points = new Float64Array(2 * lag + 1).fill(Number.NaN);
  }

  /** A walk learned before (a state file): counted as its evidence of second differences (at most MAX_PRIOR_EVIDENCE) until newer ones outweigh it. */
  seed(prior: WanderPrior): void {
    if (!(Number.isFinite(prior.ppbPerSqrtS) && prior.ppbPerSqrtS >= 0 && Number.isFinite(prior.evidence) && prior.evidence >= 0)) {
      throw new RangeError('oscillator wander prior must be finite and ≥ 0');
    }
    this.prior = { ppbPerSqrtS: prior.ppbPerSqrtS, evidence: Math.min(prior.evidence, MAX_PRIOR_EVIDENCE) };
    this.cached = null;
  }

  /**
   * One offset as the free-running phase: the offset less every adjustment applied since the servo
   * started, ns, at the servo's elapsed time tS, with the frequency it believed then, ppb (the phase
   * runs at −φ).
   */
  phase(tS: number, phaseNs: number, frequencyPpb: number): void {
    const { strideS, pointSpanS } = this.options;
    if (this.spanStartS === undefined) this.spanStartS = tS;
    while (tS >= this.spanStartS + strideS) {
      this.closeSpan();
      this.spanStartS += strideS;
    }
    const offsetInSpanS = tS - this.spanStartS;
    if (offsetInSpanS >= pointSpanS) return;
    const centreS = this.spanStartS + pointSpanS / 2;
    this.spanPhases.push(phaseNs + frequencyPpb * (tS - centreS));
  }

  /** The clock or the time it follows moved by what no phase can measure: no second difference spans it. */
  restart(): void {
    this.points.fill(Number.NaN);
    this.spanStartS = undefined;
    this.spanPhases.length = 0;
  }

  /** The walk learned so far, prior included; undefined before a single second difference (and no prior). */
  estimate(): WanderEstimate | undefined {
    if (this.cached === null) this.cached = this.computeEstimate();
    return this.cached;
  }

  private computeEstimate(): WanderEstimate | undefined {
    const measured = this.measured();
    const measuredEvidence = measured?.evidence ?? 0;
    const priorEvidence = this.prior?.evidence ?? 0;
    const n = measuredEvidence + priorEvidence;
    if (!(n > 0)) return undefined;
    const q = (measuredEvidence * (measured?.q ?? 0) + priorEvidence * (this.prior?.ppbPerSqrtS ?? 0) ** 2) / n;
    return { ppbPerSqrtS: Math.sqrt(q), upperPpbPerSqrtS: Math.sqrt(q * upperFactor(n)), evidence: n };
  }

  /** q from the second differences kept (ppb²/s) and their independent count. */
  private measured(): { q: number; evidence: number } | undefined {
    const count = this.squares.length;
    if (count === 0) return undefined;
    const limit = OUTLIER_MEDIANS * median(this.squares);
    let sum = 0;
    let used = 0;
    for (const square of this.squares) {
      if (square > limit) continue;
      sum += square;
      used++;
    }
    const { tauS, strideS } = this.options;
    // E[D²] = 2 σy²(τ) = 2qτ/3 for a random walk of the frequency.
    const q = (3 * (sum / used)) / (2 * tauS);
    // Overlapping second differences a stride apart: about one independent per τ they span.
    const evidence = Math.max(1, (used * strideS) / tauS);
    return { q, evidence };
  }

  private closeSpan(): void {
    const phases = this.spanPhases;
    const point = phases.length >= MIN_POINT_SAMPLES ? median(phases) : Number.NaN;
    phases.length = 0;
    this.points.copyWithin(0, 1);
    this.points[this.points.length - 1] = point;
    // A point not yet taken since the start or a restart is NaN: no second difference reaches before it.
    const newest = point;
    const middle = this.points[this.lag] as number;
    const oldest = this.points[0] as number;
    if (Number.isNaN(newest) || Number.isNaN(middle) || Number.isNaN(oldest)) return;
    const { tauS } = this.options;
    // ns over s: ppb.
    const secondDifference = (newest - 2 * middle + oldest) / tauS;
    this.keep(secondDifference ** 2, (this.spanStartS ?? 0) + this.options.pointSpanS / 2);
  }

  private keep(square: number, atS: number): void {
    this.cached = null;
    this.squares.push(square);
    this.squareAtS.push(atS);
    const forgetBeforeS = atS - this.options.memoryS;
    let drop = 0;
    while (drop < this.squareAtS.length && (this.squareAtS[drop] as number) < forgetBeforeS) drop++;
    if (drop > 0) {
      this.squares.splice(0, drop);
      this.squareAtS.splice(0, drop);
    }
  }
}

/** How far above its estimate a variance from n independent squares may be, at 90 % (n/χ²₀.₁(n), Wilson–Hilferty). */
export function upperFactor(n: number): number {
  if (!(n > 0)) return Number.POSITIVE_INFINITY;
  const a = 2 / (9 * n);
  const cube = 1 - a - Z_90 * Math.sqrt(a);
  if (!(cube > 0)) return Number.POSITIVE_INFINITY;
  return 1 / cube ** 3;
}
