/**
 * The Syncs' own noise on a software path, as the lab's Syncs show it (labSyncNoise.ts): each Sync's
 * latency departs from the path's level by a draw of its own (the white part, a heavy one-sided tail
 * of late frames) and by a slow wander, a mean-reverting (Ornstein–Uhlenbeck) process. On veth the
 * wander moves the Syncs' latency by hundreds of ns over seconds and brings it back; no slave can
 * tell that from its own clock moving, since meanLinkDelay is measured on the Pdelay paths
 * (802.1AS-2020 8.3). The veth recorder's quantiles (latencyDistribution.ts) draw each frame
 * independently and have no wander.
 */
import { Prng } from '../../src/clock/prng.js';
import type { LatencyQuantiles } from './latencyDistribution.js';

export interface SyncNoise {
  /**
   * The Syncs' level above the mean of the Pdelay paths' (an asymmetry no slave sees, 802.1AS-2020
   * 8.3), ns; undefined: the level is the link's own (the recorded timer path's median).
   */
  readonly levelNs?: number;
  /** Each Sync's departure from the level and the wander: quantiles with median 0, ns. */
  readonly residual: LatencyQuantiles;
  readonly wander: SyncLatencyWander;
}

export interface SyncLatencyWander {
  /** How fast the latency returns to its mean: the autocorrelation falls by e over this, s. */
  readonly timeConstantS: number;
  /** Its stationary standard deviation, ns. */
  readonly sigmaNs: number;
}

/** The process itself, advanced to each instant it is asked at (true time, ns), from its own random stream. */
export class OrnsteinUhlenbeck {
  private readonly random: Prng;
  private valueNs: number;
  private atNs: bigint | undefined;

  constructor(
    private readonly model: SyncLatencyWander,
    seed: number,
  ) {
    this.random = new Prng(seed);
    // Stationary from the start: a run begins somewhere in the wander, not at its mean.
    this.valueNs = model.sigmaNs * this.random.gaussian();
  }

  /** The latency's departure from its mean at true time `trueNs` (not before the last instant asked), ns. */
  at(trueNs: bigint): number {
    if (this.atNs !== undefined && trueNs > this.atNs) {
      const decay = Math.exp(-Number(trueNs - this.atNs) / 1e9 / this.model.timeConstantS);
      this.valueNs = this.valueNs * decay + this.model.sigmaNs * Math.sqrt(1 - decay * decay) * this.random.gaussian();
    }
    if (this.atNs === undefined || trueNs > this.atNs) this.atNs = trueNs;
    return this.valueNs;
  }
}
