/**
 * The Kalman servo's measurement noise R (ns²), learned online: the robust scale (median absolute
 * deviation) of the last noiseWindow innovations, blind to up to half of them being late frames, less
 * what the prediction itself contributes. Until noiseWindow/4 innovations exist, the mode's prior
 * holds, or the link's own jitter where the Pdelay exchanges showed it far beyond that prior.
 */
import { MAD_TO_SIGMA, medianAbsoluteDeviation } from '../protocol/windowedMedian.js';

export interface MeasurementNoiseTuning {
  /** The mode's prior, 1 σ, ns. */
  readonly initialMeasurementNoiseNs: number;
  /** The least noise ever learned, 1 σ, ns. */
  readonly minMeasurementNoiseNs: number;
  /** Innovations the scale is taken over. */
  readonly noiseWindow: number;
  /** The servo's outlier gate, σ: a link beyond the prior's gate sets the prior instead. */
  readonly gateSigmas: number;
}

/** The noise is recomputed every this many innovations. */
const NOISE_REFRESH = 8;
/**
 * A level widens the learned noise as it enters the noise window (half the window shifted doubles its
 * MAD), which would raise the level test's own threshold above the level: the test takes the smallest
 * noise learned over this many refreshes (16 s at 8 Sync/s), from before the level.
 */
const QUIET_REFRESHES = 16;

export class MeasurementNoise {
  private varianceNs2: number;
  private learnedOnce = false;
  private readonly innovations: number[] = [];
  private next = 0;
  private sinceRefresh = 0;
  /** The noise (1 σ, ns) of the last QUIET_REFRESHES refreshes, a ring. */
  private readonly recent = new Float64Array(QUIET_REFRESHES);
  private recentNext = 0;

  constructor(private readonly tuning: MeasurementNoiseTuning) {
    this.varianceNs2 = tuning.initialMeasurementNoiseNs ** 2;
  }

  /** R, ns². */
  get variance(): number {
    return this.varianceNs2;
  }

  /** The noise was learned from innovations at least once (the link's prior no longer applies). */
  get learned(): boolean {
    return this.learnedOnce;
  }

  /**
   * Until the noise is learned, the mode's prior holds unless the link, as the Pdelay exchanges showed
   * it, jitters beyond the gate of that prior (an offset carries two timestamps' jitter, the master's
   * and this port's): then the offsets would be gated or over-weighted for the 2 s the noise takes to
   * learn (a relay's ±35 µs against the 500 ns of software timestamps on veth). Nearer the prior, the
   * prior is kept: the spread of two or three exchanges is itself too noisy to improve on it.
   */
  takePrior(timestampSigmaNs: number | undefined): void {
    if (this.learnedOnce || timestampSigmaNs === undefined || !Number.isFinite(timestampSigmaNs)) return;
    const linkSigmaNs = Math.SQRT2 * timestampSigmaNs;
    const prior = this.tuning.initialMeasurementNoiseNs;
    this.varianceNs2 = (linkSigmaNs > this.tuning.gateSigmas * prior ? linkSigmaNs : prior) ** 2;
  }

  /** One innovation, ns, and the prediction's own variance in it, ns². */
  learn(innovationNs: number, predictionVariance: number): void {
    const n = this.tuning.noiseWindow;
    if (this.innovations.length < n) this.innovations.push(innovationNs);
    else this.innovations[this.next] = innovationNs;
    this.next = (this.next + 1) % n;
    if (++this.sinceRefresh < NOISE_REFRESH || this.innovations.length < n / 4) return;
    this.sinceRefresh = 0;
    this.learnedOnce = true;
    const sigma = MAD_TO_SIGMA * medianAbsoluteDeviation(this.innovations);
    // A scale from 32–64 innovations is itself ±10–20 % uncertain, so never take away more than half of it.
    const variance = sigma * sigma;
    this.varianceNs2 = Math.max(variance - predictionVariance, variance / 2, this.tuning.minMeasurementNoiseNs ** 2);
    this.recent[this.recentNext] = Math.sqrt(this.varianceNs2);
    this.recentNext = (this.recentNext + 1) % QUIET_REFRESHES;
  }

  /** The smallest noise learned over the last QUIET_REFRESHES refreshes (the current one until any), 1 σ, ns. */
  quietSigmaNs(): number {
    let quiet = Math.sqrt(this.varianceNs2);
    for (const sigma of this.recent) if (sigma > 0) quiet = Math.min(quiet, sigma);
    return quiet;
  }

  /** A start: the innovations before it describe another phase; the noise learned so far is kept. */
  forgetInnovations(): void {
    this.innovations.length = 0;
    this.next = 0;
  }
}
