/**
 * When the Syncs' latency is a state of the Kalman servo, and what its filter misses while it is not.
 *
 * With software timestamps the offset is θ + L + v, L the Syncs' latency beyond the link delay as it
 * wanders (an Ornstein–Uhlenbeck state, kalmanState.ts). No slave can tell L from its clock moving
 * (802.1AS-2020 8.3: meanLinkDelay is the Pdelay paths', not the Sync's), so the servo steers by θ
 * alone once L is a state. L joins latencyJoinS after the start and after every believed change, once
 * the measurement noise is learned: from the first Sync it made the servo learn its phase later (lab:
 * synchronized after 6.2–7.1 s and once 25.4 s, against 4.1–4.9 s). Until then the filter reads L as
 * phase and its slope as the clock's frequency; the terms below say how much of each, for the error
 * bound. Without a latency model (the hardware tuning) L never joins and every term is 0.
 */
import { latencySlopeSigmaPpb, type LatencyModel } from './kalmanState.js';

/**
 * When the latency joins, the frequency's σ is at least the slope a latency this many of its σ off
 * makes over latencyJoinS: σL·2 / latencyJoinS, ns/s = ppb (90 ppb for the software tuning).
 */
const JOIN_SLOPE_SIGMAS = 2;

export class LatencyJoin {
  private isJoined = false;
  /** From when on (the servo's elapsed s) L joins. */
  private joinsAtS = 0;
  /** When L last joined: the latency θ̂ took as phase fades from the error bound from then on. */
  private joinedAtS = 0;
  /** When L last left: from then until it joins, φ̂ takes L's slope as the clock's. */
  private leftAtS = 0;

  /** model: undefined without a latency state (the hardware tuning). joinS: latencyJoinS, s. */
  constructor(
    readonly model: LatencyModel | undefined,
    private readonly joinS: number,
  ) {}

  /** Whether L is a state now. */
  get joined(): boolean {
    return this.isJoined;
  }

  /** The model to predict L with: only while it is a state. */
  predictedModel(): LatencyModel | undefined {
    return this.isJoined ? this.model : undefined;
  }

  /** Whether L joins at elapsedS: not yet joined, a model, the noise learned, latencyJoinS passed. */
  due(elapsedS: number, noiseLearned: boolean): boolean {
    return !this.isJoined && this.model !== undefined && noiseLearned && elapsedS >= this.joinsAtS;
  }

  join(elapsedS: number): void {
    this.isJoined = true;
    this.joinedAtS = elapsedS;
  }

  /** L leaves the state (a start, a believed change): it joins again latencyJoinS later. */
  leave(elapsedS: number): void {
    this.isJoined = false;
    this.leftAtS = elapsedS;
    this.joinsAtS = elapsedS + this.joinS;
  }

  /** Whether a moment (elapsed s) lies before L's last join while it is a state: the frequency then was judged as the join judged it. */
  joinedAfter(atS: number): boolean {
    return this.isJoined && atS < this.joinedAtS;
  }

  /**
   * The frequency's σ at least, once L joins, ppb: what the filter learned until then took the
   * latency's wander as white noise, so it may be off by the slope a wander of JOIN_SLOPE_SIGMAS σL
   * makes over latencyJoinS, whatever its variance says (lab noise: −180 ppb against σ 28 ppb at 8 s).
   * 0 without a model.
   */
  joinFrequencySigmaPpb(intervalS: number): number {
    return (JOIN_SLOPE_SIGMAS * (this.model?.sigmaNs ?? 0)) / Math.max(this.joinS, intervalS);
  }

  /**
   * Until L joins the filter reads the Syncs' latency as phase, so its θ carries whatever the
   * latency's wander is then: σL, ns. Without it the error bound missed in the first seconds of runs
   * whose latency stood high (2 of 80 simulated on the Sync noise of sessions 13–20: 95.5 % and
   * 99.0 %). When L joins it starts at 0 while θ̂ still holds the latency of that moment, and p00
   * does not know it: θ̂ hands it over to L̂ only as L's own dynamics show it, so the term fades over
   * L's time constant instead of vanishing (dropped at once, the bound fell 1.5 µs at the join and
   * left one seed in 175 of the lab's Sync noise drawn afresh short, 98.7 %).
   */
  unmodelledPhaseNs(elapsedS: number): number {
    const model = this.model;
    if (model === undefined) return 0;
    if (!this.isJoined) return model.sigmaNs;
    return model.sigmaNs * Math.exp(-(elapsedS - this.joinedAtS) / model.timeConstantS);
  }

  /**
   * Until L joins, what its wander moved φ̂ by beyond what p11 says, ppb: the filter took the
   * offsets' slope as the clock's, and L's own slope over the span from its leaving to the last Sync
   * (lastSyncAtS: holdover predicts on, but no offset teaches φ̂ more) is in it (latencySlopeSigmaPpb;
   * τ 10 s, σL 450 ns: 108, 80, 65 ppb 3, 5, 7 s after a start). The frequency's σ alone said 31–83
   * ppb 3–6 s after a start where the estimate was 76–140 ppb RMS off (the lab's recorded Sync noise,
   * 298 runs; beyond 4 σ in 23–29 of them); with the slope, 1.0 σ RMS and beyond 4 σ in at most 3.
   * Counted whole, though the feed-forward and the rate ratios do not see L: weighed by the share of
   * p11 the offsets removed, the first second read 3.1 σ RMS (the start-up ratios are off by more than
   * their σ too). Once L joins, p11 keeps what it knows of that (joinFrequencySigmaPpb).
   */
  unmodelledSlopePpb(lastSyncAtS: number, intervalS: number): number {
    const model = this.model;
    if (model === undefined || this.isJoined) return 0;
    return latencySlopeSigmaPpb(model, Math.max(intervalS, lastSyncAtS - this.leftAtS));
  }
}
