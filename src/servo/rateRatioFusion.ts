/**
 * The engine's rate ratios as measurements of the frequency φ the Kalman servo estimates
 * (H = [0, 1, 0]): the feed-forward (the cumulative rate ratio the engine hands the servo) and, with
 * software timestamps, every new neighborRateRatio with the σ the engine gives it
 * (fuseEveryRateRatio). The ratio is measured through the Pdelay exchanges (802.1AS-2020
 * 10.2.8.1.4), so the Syncs' latency wandering or drifting is not read as a rate, and the
 * oscillator's own wander is seen as it happens.
 */
import type { KalmanState } from './kalmanState.js';
import type { RateMeasurement } from './servo.js';
import { spanHolds } from './neighborPhaseWitness.js';

/** No rate ratio is exact: the smallest σ one is fused with, ppb. */
const MIN_RATE_SIGMA_PPB = 1;

export interface RateRatioFusionTuning {
  /** 1 σ the mode gives a feed-forward value at least, ppb. */
  readonly feedForwardSigmaPpb: number;
  /** Fuse every rate ratio after the start, not the feed-forward alone. */
  readonly fuseEveryRateRatio: boolean;
  /** The gate a ratio's innovation must lie within, σ. */
  readonly gateSigmas: number;
}

export class RateRatioFusion {
  /** The feed-forward value last used as a measurement (a new one is used once). */
  private fusedFeedForward: number | undefined;
  private fusedRateRatio: number | undefined;
  /** The rate ratios the gate kept out in a row: on which side (±1; 0 for none), from when (s of the servo's elapsed time). */
  private runSide = 0;
  private runFromS = 0;

  constructor(
    private readonly filter: KalmanState,
    private readonly tuning: RateRatioFusionTuning,
  ) {}

  /**
   * A feed-forward value not seen before is one measurement of φ, as uncertain as the mode assumes or
   * as the engine measured it (engineSigmaPpb: the Pdelay timestamps' jitter over the ratio's span),
   * whichever is more.
   */
  fuseFeedForward(feedForwardPpb: number | undefined, engineSigmaPpb: number | undefined): void {
    if (feedForwardPpb === undefined || feedForwardPpb === this.fusedFeedForward) return;
    this.fusedFeedForward = feedForwardPpb;
    const r = Math.max(this.tuning.feedForwardSigmaPpb, engineSigmaPpb ?? 0) ** 2;
    this.filter.updateFrequency(feedForwardPpb - this.filter.phi, r);
  }

  /** The start seated the feed-forward from this rate ratio: not a second measurement. */
  seatedFrom(rate: RateMeasurement | undefined): void {
    this.fusedRateRatio = rate?.rateRatio;
    this.runSide = 0;
  }

  /** A restart: the next feed-forward is a measurement again. */
  forgetFeedForward(): void {
    this.fusedFeedForward = undefined;
  }

  /**
   * A rate ratio not fused before is one measurement of φ. Each comes from a new Pdelay exchange, the
   * window's far end a different one each time, so successive ratios are nearly independent. One
   * beyond the gate of what the filter predicts for it (a late Pdelay timestamp at either end of the
   * window: a few hundred ppb on veth) is left out. Left out in a row on one side for longer than the
   * span a ratio is measured over, they are the frequency moving faster than the filter's doubt
   * allows, which the rate ratio measures and the offsets would only show later: φ's variance is
   * opened to the difference and the ratio fused. Not sooner: neighborRateRatio is (t3 − t3 of the
   * window's first exchange) / (t4 − its t4) over a window of exchanges (802.1AS-2020 11.2.19.3.3), so
   * a step of the neighbor's time (its clock stepped by a few µs, one of its Pdelay paths changed)
   * moves every ratio whose span holds it by step / span and no other, a run exactly one span long
   * (the lab's 2 µs step: −250 ppb for 8 s, which a run of eight ratios took as the frequency and ran
   * the clock 0.7 µs further off within 3 s before the offsets pulled it back).
   * Nor one whose span holds `believedChangeAtS`, the start of a change the servo believed: if the
   * grandmaster's time moved, that ratio is off by the move / span (lab, `grandmaster-phase-step`:
   * +2.2 ppm for 9 s after a 20 µs move, which the frequency opened by the believed run took, and the
   * clock ran 27.7 µs past the moved time in 14 s before a second run was believed); if the Syncs'
   * path moved, the ratio adds nothing the offsets will not show within its span. The engine restarts
   * the ratio itself across a move beyond 500 µs (TIMESCALE_JUMP_FLOOR_NS), which it can tell from
   * the exchanges alone; below that only the offsets show a move, so the servo, which believed it,
   * leaves those ratios out.
   * `tS` is the Sync's time on the timestamp clock, `elapsedS` the servo's time since its start.
   */
  fuseRateRatio(rate: RateMeasurement | undefined, tS: number, elapsedS: number, believedChangeAtS: number | undefined): void {
    if (!this.tuning.fuseEveryRateRatio || rate === undefined || rate.rateRatio === this.fusedRateRatio) return;
    this.fusedRateRatio = rate.rateRatio;
    if (believedChangeAtS !== undefined && spanHolds(tS, rate.spanS, believedChangeAtS)) return;
    const r = Math.max(rate.sigmaPpb, MIN_RATE_SIGMA_PPB) ** 2;
    const innovation = rate.neededPpb - this.filter.phi;
    if (Math.abs(innovation) > this.tuning.gateSigmas * Math.sqrt(this.filter.frequencyInnovationVariance(r))) {
      const side = Math.sign(innovation);
      if (side !== this.runSide) {
        this.runSide = side;
        this.runFromS = elapsedS;
      }
      if (elapsedS - this.runFromS < rate.spanS) return;
      this.filter.widenFrequency(innovation * innovation);
    }
    this.runSide = 0;
    this.filter.updateFrequency(innovation, r);
  }
}
