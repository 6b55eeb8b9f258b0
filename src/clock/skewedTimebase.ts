/**
 * A test instrument: makes a real timestamp clock look like a worse oscillator, so that the lab can
 * give Syntonic's own clock a synthetic frequency error (+100 ppm, say), a random walk and a ramp (an
 * oscillator warming up) while the grandmaster, on the same machine, shares its CLOCK_REALTIME.
 * Every time the station sees — RX and TX timestamps, its reads of "now", the clock pairs for the
 * provider — goes through the same mapping, which is continuous and strictly increasing:
 *   skewed(t) = anchorSkewed + (t − anchorRaw) × (1 + ppb·1e-9)
 * re-anchored once a second of base time, when the random walk and the ramp move ppb.
 */
import { Prng } from './prng.js';
import type { LocalTime } from './timePoint.js';

export interface SkewOptions {
  /** Static frequency error, ppm (positive: the station's clock runs fast). */
  readonly frequencyOffsetPpm: number;
  /** Random-walk frequency noise, ppb/√s (0: none). */
  readonly wanderPpbPerSqrtS?: number;
  /** A steady change of the frequency error, ppb/s (positive: ever faster; 0: none), in steps of one second. */
  readonly driftPpbPerS?: number;
  readonly seed?: number;
}

const STEP_NS = 1_000_000_000n;

export class SkewedTimebase {
  private anchorRaw: bigint | undefined;
  private anchorSkewed = 0n;
  private ppb: number;
  private readonly wander: number;
  private readonly drift: number;
  private readonly random: Prng;

  constructor(options: SkewOptions) {
    this.ppb = options.frequencyOffsetPpm * 1000;
    this.wander = options.wanderPpbPerSqrtS ?? 0;
    this.drift = options.driftPpbPerS ?? 0;
    this.random = new Prng(options.seed ?? 1);
  }

  /** The skewed reading of base time t. */
  map(t: LocalTime): LocalTime {
    const raw = BigInt(t);
    if (this.anchorRaw === undefined) {
      this.anchorRaw = raw;
      this.anchorSkewed = raw;
    }
    while (raw - this.anchorRaw >= STEP_NS) this.advanceAnchor();
    return (this.anchorSkewed + this.scaled(raw - this.anchorRaw)) as LocalTime;
  }

  /** Current frequency error, ppb. */
  frequencyPpb(): number {
    return this.ppb;
  }

  private advanceAnchor(): void {
    const base = this.anchorRaw as bigint;
    this.anchorSkewed += this.scaled(STEP_NS);
    this.anchorRaw = base + STEP_NS;
    if (this.wander > 0) this.ppb += this.wander * this.random.gaussian();
    this.ppb += this.drift;
  }

  private scaled(deltaNs: bigint): bigint {
    return deltaNs + BigInt(Math.round(Number(deltaNs) * this.ppb * 1e-9));
  }
}
