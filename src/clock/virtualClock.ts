/**
 * A virtual clock: grandmaster time as an affine mapping over a free-running base clock
 * (CLOCK_MONOTONIC_RAW, a free-running PHC, or CLOCK_REALTIME when software timestamps are in that
 * domain). Disciplining it changes only the mapping, never a system clock.
 *
 *   time(base) = anchorTime + (base − anchorBase) · (1 + ppb · 1e-9)
 *
 * Absolute values are bigint ns; the sub-nanosecond part of anchorTime is kept separately so that
 * re-anchoring 8 times a second for days accumulates no rounding error. Readings are the floor of the
 * exact value, so a mapping with 1 + ppb·1e-9 > 0 never runs backwards.
 */
import type { DisciplinedClock } from './clock.js';
import { ptpTime, type LocalTime, type PtpTime } from './timePoint.js';

/** The mapping in force, as published to the time-base provider. */
export interface VirtualClockMapping {
  /** Base-clock instant the mapping is anchored at. */
  readonly anchorBase: LocalTime;
  /** Virtual time at anchorBase, integer ns (floor of the exact value). */
  readonly anchorTime: PtpTime;
  /** Sub-nanosecond remainder of the virtual time at anchorBase, 0 ≤ f < 1 ns. */
  readonly anchorTimeFractionNs: number;
  /** Frequency of the virtual clock relative to the base, in ppb. */
  readonly ppb: number;
}

export interface VirtualClockOptions {
  /** Largest |frequency adjustment| accepted, ppb; requests beyond it are clamped. Default 500,000 ppb (500 ppm). */
  readonly maxFrequencyPpb?: number;
  /** Virtual time at the base's first reading; default: equal to that reading (offset 0). */
  readonly initialTime?: PtpTime;
  /** Initial frequency in ppb; default 0. */
  readonly initialPpb?: number;
}

/**
 * x − floor(x) can round up to exactly 1 when x is a tiny negative number; keeping it just below 1
 * makes the re-anchored mapping give the same reading as the old one at the anchor (no 1 ns jump).
 */
export function fractionBelowOne(fraction: number): number {
  return Math.min(fraction, 1 - Number.EPSILON / 2);
}

/** Elapsed ns plus a correction below it stay exact integers in a float64 (2^53) from here down. */
const EXACT_ELAPSED_NS = 2 ** 52;

/** A frequency of −1e9 ppb would stop the clock; anything at or beyond it is refused. */
const MAX_FREQUENCY_LIMIT_PPB = 999_999_999;

export class VirtualClock implements DisciplinedClock {
  readonly kind = 'virtual' as const;
  /** Frame timestamps come from the free-running base, so a measured rateRatio is the whole frequency. */
  readonly timestampsFollowAdjustment = false;
  readonly maxFrequencyPpb: number;

  private anchorBase: bigint;
  private anchorTime: bigint;
  private anchorFractionNs = 0;
  private ppb: number;

  constructor(
    private readonly base: () => LocalTime,
    options: VirtualClockOptions = {},
  ) {
    const max = options.maxFrequencyPpb ?? 500_000;
    if (!(max > 0 && max <= MAX_FREQUENCY_LIMIT_PPB)) {
      throw new RangeError(`maxFrequencyPpb must be in (0, ${MAX_FREQUENCY_LIMIT_PPB}], got ${max}`);
    }
    this.maxFrequencyPpb = max;
    const start = base();
    this.anchorBase = start;
    this.anchorTime = options.initialTime ?? start;
    this.ppb = this.clamp(options.initialPpb ?? 0);
  }

  now(): PtpTime {
    return this.fromTimestamp(this.base());
  }

  /**
   * Maps a base timestamp with the mapping in force now, also for timestamps taken before the last
   * re-anchor or step. That is the consistent choice for the servo: the offset it computes from an
   * older timestamp then describes the clock as it is now, including corrections already applied, so
   * a correction is never applied twice (with the historic mapping, a Sync timestamped just before a
   * step would still show the pre-step offset and cause a second step). The difference to the
   * historic mapping is (anchorBase − t) · Δppb, i.e. below 1 ns for a timestamp 1 ms old after a
   * 1 ppm change.
   */
  fromTimestamp(t: LocalTime): PtpTime {
    const elapsedBase = t - this.anchorBase;
    const elapsed = Number(elapsedBase);
    const exactCorrection = (elapsed * this.ppb) / 1e9 + this.anchorFractionNs;
    const whole = Math.floor(exactCorrection);
    // Within 2^52 ns (52 days) of the anchor the sum is an exact integer as a number: one bigint addition.
    if (Math.abs(elapsed) < EXACT_ELAPSED_NS) return ptpTime(this.anchorTime + BigInt(elapsed + whole));
    return ptpTime(this.anchorTime + elapsedBase + BigInt(whole));
  }

  /** Re-anchors at the current base instant, so that the reading neither jumps nor runs backwards. */
  adjustFrequency(ppb: number): void {
    if (!Number.isFinite(ppb)) throw new RangeError(`frequency adjustment must be finite ppb, got ${ppb}`);
    this.reanchor(this.base());
    this.ppb = this.clamp(ppb);
  }

  frequencyPpb(): number {
    return this.ppb;
  }

  step(deltaNs: bigint): void {
    this.anchorTime += deltaNs;
  }

  mapping(): VirtualClockMapping {
    return {
      anchorBase: this.anchorBase as LocalTime,
      anchorTime: ptpTime(this.anchorTime),
      anchorTimeFractionNs: this.anchorFractionNs,
      ppb: this.ppb,
    };
  }

  private reanchor(at: LocalTime): void {
    const elapsedBase = at - this.anchorBase;
    const elapsed = Number(elapsedBase);
    const exactCorrection = (elapsed * this.ppb) / 1e9 + this.anchorFractionNs;
    const whole = Math.floor(exactCorrection);
    this.anchorTime += Math.abs(elapsed) < EXACT_ELAPSED_NS ? BigInt(elapsed + whole) : elapsedBase + BigInt(whole);
    this.anchorFractionNs = fractionBelowOne(exactCorrection - whole);
    this.anchorBase = at;
  }

  private clamp(ppb: number): number {
    return Math.max(-this.maxFrequencyPpb, Math.min(this.maxFrequencyPpb, ppb));
  }
}
