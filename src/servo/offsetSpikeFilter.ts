/**
 * Rejects isolated offset spikes once the servo is locked: an offset further than
 * k × 1.4826 × MAD (the median absolute deviation scaled to a standard deviation for gaussian noise)
 * from the median of recent accepted offsets, and at least minThresholdNs from it, is not given to the
 * servo. A real change of the master's time (a phase jump) looks like a spike that does not go away, so
 * after maxConsecutiveRejections rejections in a row the next offset is accepted and the history
 * restarts: the servo then steps or slews per its thresholds.
 */
import { MAD_TO_SIGMA, medianIn } from '../protocol/windowedMedian.js';

export interface OffsetSpikeFilterOptions {
  /** Accepted offsets kept for the median and MAD. Default 32. */
  readonly length?: number;
  /** Offsets needed before the filter rejects anything. Default 16. */
  readonly minSamples?: number;
  /** Threshold in robust standard deviations. Default 6. */
  readonly k?: number;
  /** Smallest threshold, ns, so that a very quiet loop does not reject ordinary noise. Default 100 ns. */
  readonly minThresholdNs?: number;
  /** Rejections in a row after which the offset is taken as real. Default 3. */
  readonly maxConsecutiveRejections?: number;
}

export interface SpikeVerdict {
  readonly accepted: boolean;
  /** Distance from the median above which offsets are rejected now, ns (undefined while warming up). */
  readonly thresholdNs?: number;
}

/** Syncs between two recomputations of the acceptance band (median and MAD of the history). */
const BAND_REFRESH = 8;

export class OffsetSpikeFilter {
  private readonly length: number;
  private readonly minSamples: number;
  private readonly k: number;
  private readonly minThresholdNs: number;
  private readonly maxConsecutive: number;
  private readonly history: number[] = [];
  private readonly deviations: number[] = [];
  private readonly scratch: Float64Array;
  private band: { center: number; thresholdNs: number; age: number } | undefined;
  private consecutive = 0;
  private rejected = 0;

  constructor(options: OffsetSpikeFilterOptions = {}) {
    this.length = options.length ?? 32;
    this.scratch = new Float64Array(Math.max(this.length, 3) + 1);
    this.minSamples = options.minSamples ?? 16;
    this.k = options.k ?? 6;
    this.minThresholdNs = options.minThresholdNs ?? 100;
    this.maxConsecutive = options.maxConsecutiveRejections ?? 3;
    if (!(Number.isInteger(this.length) && this.length >= 3)) throw new RangeError(`spikeFilter.length must be an integer ≥ 3`);
    if (!(Number.isInteger(this.minSamples) && this.minSamples >= 3 && this.minSamples <= this.length)) {
      throw new RangeError(`spikeFilter.minSamples must be an integer in [3, length]`);
    }
    if (!(this.k > 0)) throw new RangeError(`spikeFilter.k must be > 0`);
  }

  check(offsetNs: number): SpikeVerdict {
    if (this.history.length < this.minSamples) return this.accept(offsetNs, undefined);
    // The band moves slowly: recompute it every few Syncs, and always before rejecting anything.
    let band = this.band;
    if (band === undefined || band.age >= BAND_REFRESH || Math.abs(offsetNs - band.center) > band.thresholdNs) band = this.refreshBand();
    band.age += 1;
    const { center, thresholdNs } = band;
    if (Math.abs(offsetNs - center) <= thresholdNs) return this.accept(offsetNs, thresholdNs);
    if (this.consecutive >= this.maxConsecutive) {
      // Persistent: a real change. Start over from here.
      this.reset();
      return this.accept(offsetNs, thresholdNs);
    }
    this.consecutive++;
    this.rejected++;
    return { accepted: false, thresholdNs };
  }

  private refreshBand(): { center: number; thresholdNs: number; age: number } {
    const center = medianIn(this.history, this.scratch);
    for (let i = 0; i < this.history.length; i++) this.deviations[i] = Math.abs((this.history[i] as number) - center);
    this.deviations.length = this.history.length;
    const mad = medianIn(this.deviations, this.scratch);
    this.band = { center, thresholdNs: Math.max(this.k * MAD_TO_SIGMA * mad, this.minThresholdNs), age: 0 };
    return this.band;
  }

  /** Offsets rejected since creation. */
  rejectedCount(): number {
    return this.rejected;
  }

  /** Forget the history (after a step, a new grandmaster or a phase change). */
  reset(): void {
    this.history.length = 0;
    this.band = undefined;
    this.consecutive = 0;
  }

  private accept(offsetNs: number, thresholdNs: number | undefined): SpikeVerdict {
    this.consecutive = 0;
    this.history.push(offsetNs);
    if (this.history.length > this.length) this.history.shift();
    return thresholdNs === undefined ? { accepted: true } : { accepted: true, thresholdNs };
  }
}
