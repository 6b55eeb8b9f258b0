/**
 * A level in the Kalman servo's innovations (offset − predicted phase) that the filter has not
 * absorbed. In steady state the filter is stiff: it models the oscillator's frequency as a slow random
 * walk, so a change in the Syncs' latency of a few σ is followed over tens of seconds. When that change
 * straddles the outlier gate, neither mechanism moves the phase: the offsets inside the gate have a
 * tiny gain, those beyond it never form a run on one side (lab, oscillator-plus-100ppm: offsets at
 * +1.5…+2.5 µs for ten seconds, σ ≈ 400 ns, the clock left where it was).
 *
 * The test: the median of every innovation of the last `length` Syncs (inside the gate or not), beyond
 * `levelSigmas` σ of the measurement noise, while the window agrees with itself (its spread within the
 * gate: a burst of late frames under load scatters by hundreds of µs and is not a level). The median
 * needs more than half of the window to have moved, so a window spanning twice the servo's minimum
 * outlier run keeps that run's protection against load bursts.
 */
import { MAD_TO_SIGMA, medianAbsoluteDeviation, medianIn } from '../protocol/windowedMedian.js';

export interface InnovationLevelLimits {
  /** 1 σ of the measurement noise, ns. */
  readonly sigmaNs: number;
  /** A level beyond this many σ is one the filter has not absorbed. */
  readonly levelSigmas: number;
  /** The window's own spread (MAD as σ) must stay within this many σ. */
  readonly spreadSigmas: number;
}

export class InnovationLevel {
  private readonly values: number[] = [];
  private next = 0;
  private readonly scratch: Float64Array;

  constructor(readonly length: number) {
    if (!(Number.isInteger(length) && length >= 3)) throw new RangeError(`innovation level window must be an integer ≥ 3, got ${length}`);
    this.scratch = new Float64Array(length);
  }

  push(innovationNs: number): void {
    // While the ring fills, next is values.length: the slot is next either way.
    if (this.values.length < this.length) this.values.push(innovationNs);
    else this.values[this.next] = innovationNs;
    this.next = (this.next + 1) % this.length;
  }

  /** The level the innovations sit at, ns, when it is one the filter should take; undefined otherwise. */
  level(limits: InnovationLevelLimits): number | undefined {
    if (this.values.length < this.length || !(limits.levelSigmas > 0)) return undefined;
    const level = medianIn(this.values, this.scratch);
    if (!(Math.abs(level) > limits.levelSigmas * limits.sigmaNs)) return undefined;
    // Only now (rarely) the spread, which allocates.
    const spread = MAD_TO_SIGMA * medianAbsoluteDeviation(this.values, level);
    return spread <= limits.spreadSigmas * limits.sigmaNs ? level : undefined;
  }

  clear(): void {
    this.values.length = 0;
    this.next = 0;
  }
}
